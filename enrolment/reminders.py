"""Reminder rules about enrolments, agreements, missions and follow-ups (core.reminders engine).

Each rule reads its due dates from the database; the engine records each
reminder once (unique row) and writes it to the enrolment's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.reminders import DueItem, ReminderRule, register_rule
from core.roles import Role

from .models import Agreement, Enrolment, EnrolmentState, GroupMembership, Seminar

S = EnrolmentState


def relay_staff_by_relay(relay_ids: set[int]) -> dict[int, list[User]]:
    staff: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.RELAY_STAFF, relay_id__in=relay_ids, is_active=True
    ).order_by("pk"):
        staff[user.relay_id].append(user)
    return staff


class DiagnosisDraftRule(ReminderRule):
    """Eligible for 7 days without a submitted self-diagnosis (the diagnosis is still a draft).

    Counted from eligibility: an eligible enrolment moves to `diagnosed` when its
    diagnosis is submitted, so one still `eligible` has no submitted diagnosis.
    """

    code = "diagnosis_draft"
    label = _("Autodiagnostic non terminé 7 jours après l'éligibilité")
    subject = _("Performance PME : votre autodiagnostic vous attend")
    default_delay_days = 7

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        enrolments = Enrolment.objects.filter(
            state=S.ELIGIBLE,
            company__owner__isnull=False,
            state_changed_at__date__lte=today - delay,
            state_changed_at__date__gte=since - delay,
        ).select_related("company__owner")
        for e in enrolments.iterator(chunk_size=500):
            due = timezone.localdate(e.state_changed_at) + delay
            yield DueItem(
                obj=e,
                recipient=e.company.owner,
                due_date=due,
                timeline_subject=e,
                context={"enrolment": e, "company": e.company},
            )


class AgreementUnsignedRule(ReminderRule):
    """The current agreement version is still unsigned 14 days after it was issued."""

    code = "agreement_unsigned"
    label = _("Convention non signée 14 jours après son émission")
    subject = _("Performance PME : votre convention est en attente de signature")
    optional = False
    default_delay_days = 14

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        agreements = Agreement.objects.filter(
            status=Agreement.Status.ISSUED,
            enrolment__state__in=[S.VALIDATED, S.CONSULTANT_ASSIGNED],
            enrolment__company__owner__isnull=False,
            created_at__date__lte=today - delay,
            created_at__date__gte=since - delay,
        ).select_related("enrolment__company__owner")
        for a in agreements.iterator(chunk_size=500):
            e = a.enrolment
            yield DueItem(
                obj=a,
                recipient=e.company.owner,
                due_date=timezone.localdate(a.created_at) + delay,
                timeline_subject=e,
                context={"enrolment": e, "company": e.company, "agreement": a},
            )


class MissionEndingRule(ReminderRule):
    """The mission's planned end is 14 days away: the consultant and the relay prepare closing."""

    code = "mission_ending"
    label = _("Fin de mission dans 14 jours")
    subject = _("Performance PME : la mission chez {company.name} se termine bientôt")
    default_delay_days = 14

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        enrolments = list(
            Enrolment.objects.filter(
                state__in=[S.AGREEMENT_SIGNED, S.IN_PROGRESS],
                mission__closed_at__isnull=True,
                mission__planned_end_date__lte=today + delay,
                mission__planned_end_date__gte=since + delay,
            ).select_related("company", "mission__consultant__user")
        )
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


class FollowUpRule(ReminderRule):
    """Follow-up due 6, 12 and 36 months after closing (one company in three stops)."""

    code = "follow_up"
    label = _("Suivi à 6, 12 et 36 mois après la clôture")
    subject = _("Performance PME : suivi à {months} mois de {company.name}")
    optional = False

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        for months in settings.REMINDER_FOLLOW_UP_MONTHS:
            lo = since - relativedelta(months=months) - dt.timedelta(days=3)
            hi = today - relativedelta(months=months) + dt.timedelta(days=3)
            enrolments = list(
                Enrolment.objects.filter(
                    state=S.CLOSED, closed_at__date__gte=lo, closed_at__date__lte=hi
                ).select_related("company")
            )
            staff = relay_staff_by_relay({e.company.relay_id for e in enrolments})
            for e in enrolments:
                due = timezone.localdate(e.closed_at) + relativedelta(months=months)
                if not since <= due <= today:
                    continue
                for user in staff.get(e.company.relay_id, []):
                    yield DueItem(
                        obj=e,
                        recipient=user,
                        due_date=due,
                        timeline_subject=e,
                        context={"enrolment": e, "company": e.company, "months": months},
                    )


class SeminarSoonRule(ReminderRule):
    """A group's seminar is 3 days away: owners and pilots (those with an account) of its companies.

    The companies expected are those of `groups.seminar_expected_memberships` (in the group
    on the seminar's date); pilots are matched to accounts by e-mail, otherwise only the
    owner is reminded. A rescheduled seminar gets a new reminder (new due date).
    """

    code = "seminar_soon"
    label = _("Séminaire collectif dans 3 jours")
    subject = _("Performance PME : séminaire « {seminar_title} » le {seminar_day}")
    default_delay_days = 3

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        from django.db.models import Q
        from django.db.models.functions import Lower

        delay = dt.timedelta(days=self.delay_days)
        seminars = [
            s
            for s in Seminar.objects.filter(
                starts_at__gt=timezone.now(),
                starts_at__date__gte=since + delay - dt.timedelta(days=1),
                starts_at__date__lte=today + delay + dt.timedelta(days=1),
            ).select_related("group", "theme")
            if since <= timezone.localdate(s.starts_at) - delay <= today
        ]
        if not seminars:
            return
        horizon = max(max(s.starts_at for s in seminars), timezone.now())
        memberships = list(
            GroupMembership.objects.filter(
                group_id__in={s.group_id for s in seminars}, joined_at__lte=horizon
            )
            .filter(Q(left_at__isnull=True) | Q(left_at__gte=min(s.starts_at for s in seminars)))
            .select_related("enrolment__company__owner")
            .prefetch_related("enrolment__pilots")
            .order_by("enrolment__company__name", "pk")
        )
        pilot_emails = {p.email.lower() for m in memberships for p in m.enrolment.pilots.all()}
        accounts = {
            u.email_lower: u
            for u in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=pilot_emails, is_active=True
            )
        }
        for seminar in seminars:
            day = timezone.localdate(seminar.starts_at)
            # Same rule as groups.seminar_expected_memberships, over one batched query.
            expected_by = max(seminar.starts_at, timezone.now())
            for m in memberships:
                if m.group_id != seminar.group_id or m.joined_at > expected_by:
                    continue
                if m.left_at is not None and m.left_at < seminar.starts_at:
                    continue
                e = m.enrolment
                recipients = [e.company.owner] if e.company.owner_id else []
                recipients += [
                    accounts[p.email.lower()] for p in e.pilots.all() if p.email.lower() in accounts
                ]
                seen: set[int] = set()
                for user in recipients:
                    if user.pk in seen or not user.is_active:
                        continue
                    seen.add(user.pk)
                    yield DueItem(
                        obj=seminar,
                        recipient=user,
                        due_date=day - delay,
                        timeline_subject=e,
                        context={
                            "enrolment": e,
                            "company": e.company,
                            "seminar": seminar,
                            "seminar_title": seminar.subject,
                            "seminar_day": day.strftime("%d/%m/%Y"),
                        },
                    )


def register() -> None:
    for rule in (
        DiagnosisDraftRule(),
        AgreementUnsignedRule(),
        MissionEndingRule(),
        FollowUpRule(),
        SeminarSoonRule(),
    ):
        register_rule(rule)
