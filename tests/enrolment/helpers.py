"""Test helpers for the enrolment journey (set-up only; behaviour goes through services)."""

from __future__ import annotations

from decimal import Decimal

from zeal import zeal_ignore

from diagnostics.models import Question
from diagnostics.services import diagnosis_save_answers, diagnosis_start, diagnosis_submit
from enrolment.actions import submit
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory


def eligible_enrolment(**company_kwargs):
    with zeal_ignore():  # set-up, not the behaviour under test
        return _eligible_enrolment(**company_kwargs)


def _eligible_enrolment(**company_kwargs):
    company_kwargs.setdefault("turnover", Decimal("4800000.00"))
    company = CompanyFactory(**company_kwargs)
    enrolment = EnrolmentFactory(company=company)
    return submit(enrolment=enrolment, by=company.owner)


def answer_all(diagnosis, *, weak=("stocks",), weak_level=0, strong_level=3):
    answers = {
        code: (weak_level if theme in weak else strong_level)
        for code, theme in Question.objects.filter(
            questionnaire_id=diagnosis.questionnaire_id
        ).values_list("code", "theme__code")
    }
    return diagnosis_save_answers(diagnosis=diagnosis, answers=answers)


def diagnosed_enrolment(*, weak=("stocks",), **company_kwargs):
    with zeal_ignore():
        return _diagnosed_enrolment(weak=weak, **company_kwargs)


def _diagnosed_enrolment(*, weak=("stocks",), **company_kwargs):
    enrolment = _eligible_enrolment(**company_kwargs)
    owner = enrolment.company.owner
    diagnosis = diagnosis_start(company=enrolment.company, by=owner, enrolment=enrolment)
    answer_all(diagnosis, weak=weak)
    diagnosis_submit(diagnosis=diagnosis, by=owner, headcount=enrolment.company.headcount)
    enrolment.refresh_from_db()
    return enrolment


def staff(relay_slug="afpi", **kw):
    from core.models import Relay

    with zeal_ignore():
        return UserFactory(
            role="relay_staff", relay=Relay.objects.filter(slug=relay_slug).first(), **kw
        )


PILOT = {
    "first_name": "Karim",
    "last_name": "Benali",
    "job_title": "Responsable de production",
    "email": "karim.benali@example.test",
    "phone": "04 72 00 00 00",
}
PILOT2 = {**PILOT, "first_name": "Émilie", "last_name": "Durand", "email": "e.durand@example.test"}
