"""Reads about the pool and missions shared by pages, already scoped to the user."""

from __future__ import annotations

from .models import Expert, Mission


def missions_for_consultant(*, user):
    return (
        Mission.objects.visible_to(user)
        .select_related("enrolment__company", "enrolment__offer")
        .order_by("closed_at", "-start_date")
    )


def expert_for_user(*, user) -> Expert | None:
    return Expert.objects.filter(user=user).prefetch_related("specialties", "departements").first()
