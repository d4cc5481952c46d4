"""Personal data held by consultants: the expert profile, missions, half-days, pilot training.

Registered with `core.personal_data` from `ConsultantsConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Max

from core.personal_data import Activity, Anonymisation, Person, iso, register_personal_data
from core.personal_data import scrub_queryset as scrub

from .models import (
    Amendment,
    Assignment,
    ConflictOfInterest,
    Expert,
    HalfDay,
    Mission,
    Trainee,
    TrainingAttendance,
    TrainingSession,
)


def _expert(person: Person) -> Expert | None:
    if person.user is None:
        return None
    return (
        Expert.objects.filter(user=person.user)
        .prefetch_related("specialties", "departements")
        .first()
    )


def export(person: Person) -> dict[str, Any]:
    expert = _expert(person)
    data: dict[str, Any] = {"expert_profile": None, "missions": [], "training_sessions": []}
    if expert is not None:
        data["expert_profile"] = {
            "id": expert.pk,
            "kind": expert.kind,
            "firm": expert.firm,
            "specialties": [t.name for t in expert.specialties.all()],
            "departements": [d.code for d in expert.departements.all()],
            "capacity": expert.capacity,
            "accreditation": expert.accreditation,
            "selected_on": iso(expert.selected_on),
            "trained_on": iso(expert.trained_on),
            "active_since": iso(expert.active_since),
            "suspended_on": iso(expert.suspended_on),
            "left_on": iso(expert.left_on),
            "half_day_rate": str(expert.half_day_rate)
            if expert.half_day_rate is not None
            else None,
            "conflicts_of_interest": [
                {"company": c.company.name, "reason": c.reason, "declared_at": iso(c.declared_at)}
                for c in ConflictOfInterest.objects.filter(expert=expert).select_related("company")
            ],
        }
        for mission in (
            Mission.objects.filter(consultant=expert)
            .select_related("enrolment__company")
            .prefetch_related("half_days")
        ):
            data["missions"].append(
                {
                    "id": mission.pk,
                    "company": mission.enrolment.company.name,
                    "start_date": iso(mission.start_date),
                    "planned_end_date": iso(mission.planned_end_date),
                    "closed_at": iso(mission.closed_at),
                    "closing_summary": mission.closing_summary,
                    "half_days": [
                        {
                            "date": iso(h.date),
                            "subject": h.subject,
                            "attendees": h.attendees,
                            "notes": h.notes,
                        }
                        for h in mission.half_days.all()
                    ],
                }
            )
        data["assignments"] = [
            {
                "mission_id": a.mission_id,
                "status": a.status,
                "proposed_at": iso(a.proposed_at),
                "responded_at": iso(a.responded_at),
                "reason": a.reason,
            }
            for a in Assignment.objects.filter(consultant=expert)
        ]
        data["training_sessions"] = [
            {"module": s.module.title, "date": iso(s.date), "place": s.place}
            for s in TrainingSession.objects.filter(trainer=expert).select_related("module")
        ]
    data["pilot_training"] = [
        {
            "status": t.status,
            "assessment_result": t.assessment_result,
            "assessment_score": str(t.assessment_score) if t.assessment_score is not None else None,
            "assessment_comment": t.assessment_comment,
            "completed_on": iso(t.completed_on),
            "certificate_number": t.certificate_number,
            "attendances": [
                {
                    "module": a.session.module.title,
                    "date": iso(a.session.date),
                    "present": a.present,
                }
                for a in t.attendances.all()
            ],
        }
        for t in Trainee.objects.filter(pilot__email__iexact=person.email).prefetch_related(
            "attendances__session__module"
        )
    ]
    return data


def anonymise(ctx: Anonymisation) -> int:
    changed = 0
    expert = _expert(ctx.person)
    if expert is not None and expert.firm:
        changed += Expert.objects.filter(pk=expert.pk).update(firm="")
    # The assessment of a pilot is about them alone: nothing of it is kept but the result.
    changed += (
        Trainee.objects.filter(pilot__email__iexact=ctx.person.email)
        .exclude(assessment_comment="")
        .update(assessment_comment="")
    )
    changed += scrub(HalfDay.objects.all(), ["subject", "attendees", "notes"], ctx)
    changed += scrub(Mission.objects.all(), ["closing_summary"], ctx)
    changed += scrub(Assignment.objects.all(), ["reason"], ctx)
    changed += scrub(Amendment.objects.all(), ["reason"], ctx)
    changed += scrub(ConflictOfInterest.objects.all(), ["reason"], ctx)
    changed += scrub(Trainee.objects.all(), ["assessment_comment"], ctx)
    return changed


def activity() -> Iterable[Activity]:
    """Experts: the end of each mission (running: still active), training sessions given;
    pilots: the sessions attended."""
    for email, closed_at, start in Mission.objects.filter(consultant__isnull=False).values_list(
        "consultant__user__email", "closed_at", "start_date"
    ):
        yield email, closed_at or start, closed_at is None
    for email, last_day in (
        HalfDay.objects.filter(mission__consultant__isnull=False)
        .values("mission__consultant__user__email")
        .annotate(last=Max("date"))
        .values_list("mission__consultant__user__email", "last")
    ):
        yield email, last_day, False
    for email, last_day in (
        TrainingSession.objects.values("trainer__user__email")
        .annotate(last=Max("date"))
        .values_list("trainer__user__email", "last")
    ):
        yield email, last_day, False
    for email, last_day in (
        TrainingAttendance.objects.values("trainee__pilot__email")
        .annotate(last=Max("session__date"))
        .values_list("trainee__pilot__email", "last")
    ):
        yield email, last_day, False


def register() -> None:
    register_personal_data(
        key="consultants", export=export, anonymise=anonymise, activity=activity, order=20
    )
