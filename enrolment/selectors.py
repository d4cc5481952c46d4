"""Reads about enrolments shared by pages, already scoped to the user."""

from __future__ import annotations

from django.db.models import Count

from .models import Enrolment, EnrolmentState


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
