"""What a consultant sees of the layers below: the companies, enrolments and diagnoses of
their missions (registered with `core.scoping.register_scope` in ConsultantsConfig.ready())."""

from __future__ import annotations


def companies_for_consultant(queryset, user):
    return queryset.filter(enrolments__mission__consultant__user=user).distinct()


def enrolments_for_consultant(queryset, user):
    return queryset.filter(mission__consultant__user=user)


def diagnoses_for_consultant(queryset, user):
    return queryset.filter(company__enrolments__mission__consultant__user=user).distinct()


SCOPES = {
    "enrolment.company": companies_for_consultant,
    "enrolment.enrolment": enrolments_for_consultant,
    "diagnostics.diagnosis": diagnoses_for_consultant,
}
