"""Reads about enrolments shared by pages, already scoped to the user."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from core.audit import history_for
from core.reference import attach_reference
from core.scoping import get_visible_or_404
from diagnostics.models import Diagnosis

from .models import Enrolment, EnrolmentState, Pilot


def _pilots() -> Prefetch:
    """An enrolment's pilots in their order (the model's ordering joins the enrolment to sort)."""
    return Prefetch("pilots", queryset=Pilot.objects.order_by("position"))


def enrolment_counts_by_state(*, user) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in journey order, within the user's scope."""
    counts = dict(
        Enrolment.objects.visible_to(user)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [(s.value, s.label, counts.get(s.value, 0)) for s in EnrolmentState]


def enrolments_for_owner(*, user):
    return (
        Enrolment.objects.visible_to(user)
        .select_related("company", "offer", "company__relay")
        .order_by("-created_at")
    )


def enrolments_for_staff(*, user):
    """The relay staff list: scoped, with everything a row shows in one query."""

    latest_score = (
        Diagnosis.objects.filter(enrolment=OuterRef("pk"), state=Diagnosis.State.SUBMITTED)
        .order_by("-submitted_at")
        .values("overall_score")[:1]
    )
    return (
        Enrolment.objects.visible_to(user)
        .select_related("company", "company__relay", "company__departement", "offer")
        .annotate(diagnosis_score=Subquery(latest_score))
    )


def enrolment_for_staff_detail(*, user, pk: int):
    """The dossier page's enrolment: its company and owner, tariff and pilots read with it; its
    relay, département, offer and problem theme from the reference data (`core.reference`:
    four joins fewer, 1 ms of the page)."""
    enrolment = get_visible_or_404(
        Enrolment.objects.select_related("company", "company__owner", "tariff").prefetch_related(
            _pilots()
        ),
        user,
        pk=pk,
    )
    attach_reference(enrolment, "offer", "problem_theme")
    attach_reference(enrolment.company, "relay", "departement")
    return enrolment


def enrolment_for_owner(*, user, pk: int):
    return get_visible_or_404(
        Enrolment.objects.select_related(
            "company", "company__relay", "company__departement", "offer", "tariff", "problem_theme"
        ).prefetch_related(_pilots()),
        user,
        pk=pk,
    )


def latest_diagnoses(*, enrolment, user):
    """The enrolment's company's submitted diagnoses, newest first (for results and comparison)."""
    return list(
        Diagnosis.objects.visible_to(user)
        .filter(company_id=enrolment.company_id, state=Diagnosis.State.SUBMITTED)
        .order_by("-submitted_at")[:2]
    )


def enrolment_audit_history(*, enrolment: Enrolment) -> list:
    """Changes of an enrolment and of its pilots (even replaced ones). `enrolment` was read
    through the user's scope (`enrolment_for_staff_detail`): its history is filtered by id."""
    return history_for(
        {
            "enrolment.enrolment": Q(id=enrolment.pk),
            "enrolment.pilot": Q(enrolment_id=enrolment.pk),
        }
    )
