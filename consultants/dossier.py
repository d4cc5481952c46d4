"""The dossier's "mission" block: consultant, half-days used out of those planned, dates."""

from __future__ import annotations

from django.db.models import Count, Max

from enrolment.dossier import register_dossier_section

from .models import Mission
from .services import amendments_half_days, mission_allowed_half_days


def dossier_mission_context(enrolment, user) -> dict | None:
    """The mission's figures, read once per enrolment object (the dossier page's tab, its
    primary action and its section all ask)."""
    if "_dossier_mission" not in enrolment.__dict__:
        enrolment.__dict__["_dossier_mission"] = _mission_context(enrolment)
    return enrolment.__dict__["_dossier_mission"]


def _mission_context(enrolment) -> dict | None:
    mission = (
        Mission.objects.filter(enrolment=enrolment, consultant__isnull=False)
        .select_related("consultant__user")
        .only(
            "enrolment_id",
            "start_date",
            "planned_end_date",
            "consultant__user__first_name",
            "consultant__user__last_name",
            "consultant__user__email",
        )
        .annotate(
            used=Count("half_days"),
            last_half_day=Max("half_days__date"),
            extra_half_days=amendments_half_days(),
        )
        .first()
    )
    if mission is None:
        return None
    mission.enrolment = enrolment  # already read, with its tariff
    allowed = mission_allowed_half_days(mission=mission, extra=mission.extra_half_days)
    return {
        "mission": mission,
        "used": mission.used,
        "allowed": allowed,
        "remaining": max(allowed - mission.used, 0),
    }


def register() -> None:
    register_dossier_section(
        template="consultants/dossier/_mission.html", context=dossier_mission_context, order=40
    )
