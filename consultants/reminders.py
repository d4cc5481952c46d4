"""Reminder rules about missions ending soon or behind schedule (core.reminders engine).

"Behind schedule" is the director's overview rule (`consultants.selectors.schedule_gap`
>= `BEHIND_SCHEDULE_GAP`), not a second definition: this module only works out since
when a mission has been behind, so the reminder has a due date in the database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable
from types import SimpleNamespace

from django.db.models import Count, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.reminders import DueItem, ReminderRule, long_date, register_rule
from enrolment.models import Enrolment, EnrolmentState
from enrolment.reminders import relay_staff_by_relay

from .models import Amendment, HalfDay, Mission
from .selectors import BEHIND_SCHEDULE_GAP, schedule_gap, with_half_days

S = EnrolmentState


class MissionEndingRule(ReminderRule):
    """The mission's planned end is 14 days away: the consultant and the relay prepare closing."""

    code = "mission_ending"
    label = _("Fin de mission dans 14 jours")
    subject = _("Performance PME : la mission chez {company.name} se termine bientôt")
    default_delay_days = 14

    def paragraphs(self, context: dict) -> list[str]:
        return [
            gettext(
                "La mission Performance PME chez %(company)s se termine le %(d)s. Pensez à "
                "planifier les dernières demi-journées, à relever les indicateurs et à préparer "
                "le rapport de clôture."
            )
            % {
                "company": context["company"].name,
                "d": long_date(context["mission"].planned_end_date),
            }
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        enrolments = Enrolment.objects.filter(
            state__in=[S.AGREEMENT_SIGNED, S.IN_PROGRESS],
            mission__closed_at__isnull=True,
            mission__planned_end_date__lte=today + delay,
            mission__planned_end_date__gte=since + delay,
        ).select_related("company", "mission__consultant__user")
        if objects is not None:
            enrolments = enrolments.filter(mission__pk__in=objects)
        enrolments = list(enrolments)
        staff = relay_staff_by_relay({e.company.relay_id for e in enrolments})
        for e in enrolments:
            mission = e.mission
            recipients = list(staff.get(e.company.relay_id, []))
            if mission.consultant is not None:
                recipients.insert(0, mission.consultant.user)
            for user in recipients:
                yield DueItem(
                    obj=mission,
                    recipient=user,
                    due_date=mission.planned_end_date - delay,
                    timeline_subject=e,
                    context={"enrolment": e, "company": e.company, "mission": mission},
                )


def behind_schedule_since(mission: Mission) -> dt.date | None:
    """First day the mission is behind schedule with the half-days logged so far, or None.

    `mission` carries `half_days_used` / `half_days_allowed` (the selectors' annotation).
    The gap grows by one day's share each day until the planned end; a half-day logged
    moves this date later (a new reminder if the mission falls behind again).
    """
    if schedule_gap(mission, today=mission.start_date) is None:
        return None
    total = (mission.planned_end_date - mission.start_date).days or 1
    needed = BEHIND_SCHEDULE_GAP + mission.half_days_used / mission.half_days_allowed
    if needed > 1:
        return None  # enough half-days used: never behind, even at the planned end
    first = max(math.floor(needed * total) - 1, 0)
    for offset in range(first, total + 1):
        day = mission.start_date + dt.timedelta(days=offset)
        if schedule_gap(mission, today=day) >= BEHIND_SCHEDULE_GAP:
            return day
    return None


class HalfDaysBehindRule(ReminderRule):
    """A running mission has been behind schedule for `halfdays_behind` days (default 7)."""

    code = "halfdays_behind"
    label = _("Demi-journées en retard sur le calendrier de la mission")
    subject = _("Performance PME : la mission chez {company.name} est en retard")
    default_delay_days = 7

    def paragraphs(self, context: dict) -> list[str]:
        mission = context["mission"]
        return [
            gettext(
                "La mission Performance PME chez %(company)s est en retard sur son calendrier "
                "depuis le %(since)s : %(used)s demi-journée(s) réalisée(s) sur %(allowed)s, "
                "soit %(gap)s points de retard sur le temps écoulé."
            )
            % {
                "company": context["company"].name,
                "since": long_date(context["behind_since"]),
                "used": mission.half_days_used,
                "allowed": mission.half_days_allowed,
                "gap": context["gap"],
            },
            gettext(
                "Planifiez les prochaines demi-journées pour tenir la fin prévue le %(d)s, ou "
                "convenez d'un avenant avec la structure relais."
            )
            % {"d": long_date(mission.planned_end_date)},
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        running = Mission.objects.filter(
            closed_at__isnull=True,
            consultant__isnull=False,
            start_date__isnull=False,
            planned_end_date__isnull=False,
            enrolment__state__in=[
                S.CONSULTANT_ASSIGNED,
                S.AGREEMENT_SIGNED,
                S.IN_PROGRESS,
            ],
        )
        if objects is not None:
            running = running.filter(pk__in=objects)
        # Set-based: the figures of every running mission in three grouped queries, the
        # director's rule applied to them in memory; only the missions it selects are loaded.
        used = dict(
            HalfDay.objects.filter(mission__in=running.values("pk"))
            .order_by()
            .values("mission")
            .annotate(n=Count("pk"))
            .values_list("mission", "n")
        )
        extra = dict(
            Amendment.objects.filter(mission__in=running.values("pk"))
            .order_by()
            .values("mission")
            .annotate(n=Sum("extra_half_days"))
            .values_list("mission", "n")
        )
        selected: dict[int, dt.date] = {}
        figures = running.order_by().values_list(
            "pk", "start_date", "planned_end_date", "enrolment__tariff__half_days"
        )
        for pk, start, end, tariff_half_days in figures:
            mission = SimpleNamespace(
                start_date=start,
                planned_end_date=end,
                half_days_used=used.get(pk, 0),
                half_days_allowed=(tariff_half_days or 0) + (extra.get(pk) or 0),
            )
            behind = behind_schedule_since(mission)
            if behind is None or not since <= behind + delay <= today:
                continue
            gap = schedule_gap(mission, today=today)
            if gap is None or gap < BEHIND_SCHEDULE_GAP:
                continue
            selected[pk] = behind
        if not selected:
            return
        missions = list(
            with_half_days(Mission.objects.filter(pk__in=selected))
            .select_related("enrolment__company", "consultant__user")
            .order_by("pk")
        )
        staff = relay_staff_by_relay({m.enrolment.company.relay_id for m in missions})
        for mission in missions:
            behind = selected[mission.pk]
            gap = schedule_gap(mission, today=today)
            enrolment = mission.enrolment
            context = {
                "enrolment": enrolment,
                "company": enrolment.company,
                "mission": mission,
                "gap": round(gap * 100),
                "behind_since": behind,
            }
            recipients = [mission.consultant.user] + list(staff.get(enrolment.company.relay_id, []))
            for user in recipients:
                yield DueItem(
                    obj=mission,
                    recipient=user,
                    due_date=behind + delay,
                    timeline_subject=enrolment,
                    context=context,
                )


def register() -> None:
    register_rule(MissionEndingRule())
    register_rule(HalfDaysBehindRule())
