"""Reminder rules of the collective action: follow-ups after closing, seminars soon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.reminders import DueItem, ReminderRule, long_date, register_rule
from enrolment.models import Enrolment, EnrolmentState
from enrolment.reminders import relay_staff_by_relay

from .models import GroupMembership, Seminar

S = EnrolmentState


class FollowUpRule(ReminderRule):
    """Follow-up due 6, 12 and 36 months after closing (one company in three stops)."""

    code = "follow_up"
    label = _("Suivi à 6, 12 et 36 mois après la clôture")
    subject = _("Performance PME : suivi à {months} mois de {company.name}")
    optional = False

    def paragraphs(self, context: dict) -> list[str]:
        return [
            gettext(
                "La mission de %(company)s a été clôturée le %(d)s : le suivi à %(m)s mois est "
                "dû. Prenez contact avec l'entreprise et enregistrez si elle poursuit sa "
                "démarche d'amélioration."
            )
            % {
                "company": context["company"].name,
                "m": context["months"],
                "d": long_date(context["enrolment"].closed_at),
            }
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        for months in settings.REMINDER_FOLLOW_UP_MONTHS:
            lo = since - relativedelta(months=months) - dt.timedelta(days=3)
            hi = today - relativedelta(months=months) + dt.timedelta(days=3)
            enrolments = Enrolment.objects.filter(
                state=S.CLOSED, closed_at__date__gte=lo, closed_at__date__lte=hi
            ).select_related("company")
            if objects is not None:
                enrolments = enrolments.filter(pk__in=objects)
            enrolments = list(enrolments)
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

    def paragraphs(self, context: dict) -> list[str]:
        seminar = context["seminar"]
        starts_at = timezone.localtime(seminar.starts_at)
        when = gettext(
            "Le séminaire « %(title)s » du groupe %(group)s a lieu le %(d)s à %(h)s, %(place)s."
        ) % {
            "title": context["seminar_title"],
            "group": seminar.group.name,
            "d": date_format(starts_at, "l j F Y"),
            "h": time_format(starts_at, "H\\hi"),
            "place": seminar.place,
        }
        expected = gettext(
            "Nous comptons sur la présence de %(company)s (chef d'entreprise et pilotes)."
        ) % {"company": context["company"].name}
        return [when, *([seminar.notes] if seminar.notes else []), expected]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        candidates = Seminar.objects.filter(
            starts_at__gt=timezone.now(),
            starts_at__date__gte=since + delay - dt.timedelta(days=1),
            starts_at__date__lte=today + delay + dt.timedelta(days=1),
        ).select_related("group", "theme")
        if objects is not None:
            candidates = candidates.filter(pk__in=objects)
        seminars = [
            s for s in candidates if since <= timezone.localdate(s.starts_at) - delay <= today
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
    register_rule(FollowUpRule())
    register_rule(SeminarSoonRule())
