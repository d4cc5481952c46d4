"""The reminder engine: a catalogue of rules, a periodic sweep, each reminder sent once.

A rule (`ReminderRule`) has a code, a French subject, an e-mail template (HTML
and plain text under templates/reminders/<code>.{html,txt}), a delay read from
`settings.REMINDER_DELAYS`, and a `due()` function that reads the database and
returns the `DueItem`s whose due date is today or earlier. Apps register their
rules from `AppConfig.ready()` with `register_rule()`, so the rule about a model
lives with the model (core imports no app).

Due dates live in the database; nothing is scheduled days ahead with a
countdown. The hourly sweep (`core.tasks.reminders_sweep`, Celery beat) calls
`reminders_send_due()`: for each due item it INSERTs a `ReminderSent` row
(rule, object, recipient, due date: unique) and sends the e-mail in the same
transaction. Two sweeps at once, or a retried task, collide on the unique
constraint and the second one skips; if sending fails, the transaction rolls
back and the next sweep tries again. Each reminder sent is written to the
timeline of the item's enrolment.

Users turn optional rules off in their profile (`ReminderPreference`), or ask
for a weekly digest: their optional reminders are then recorded (same unique
row) and sent together by `reminders_send_digests()` (Monday 8:00).

The rules, each registered by the app that owns its model (docs/conventions-relances.md):
  * enrolment/reminders.py: `diagnosis_draft`, `agreement_unsigned`, `mission_ending`,
    `follow_up`, `seminar_soon`;
  * consultants/reminders.py: `halfdays_behind` (the director's "behind schedule" rule);
  * funding/reminders.py: `payment_overdue` (`AidInstalment.objects.overdue()`).
A new rule is a `ReminderRule` subclass with a `due(today, since)` query over its model, its
delay in `REMINDER_DELAYS` and its templates, registered from its app's ready().
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import ReminderPreference, ReminderSent, User
from .services import timeline_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueItem:
    """One reminder to send: about `obj`, to `recipient`, due on `due_date`."""

    obj: models.Model
    recipient: User
    due_date: dt.date
    #: The object whose timeline records the reminder (the enrolment), if any.
    timeline_subject: models.Model | None = None
    context: dict | None = None


class ReminderRule:
    """Subclass, set the attributes and implement `due()`; register with `register_rule()`."""

    code: str = ""
    label: str = ""  # shown in the profile page
    subject: str = ""  # French e-mail subject (may use {placeholders} from the context)
    optional: bool = True  # users may turn it off or get it in the weekly digest
    default_delay_days: int = 0

    @property
    def delay_days(self) -> int:
        return int(settings.REMINDER_DELAYS.get(self.code, self.default_delay_days))

    def due(self, *, today: dt.date, since: dt.date) -> Iterable[DueItem]:
        """Items due between `since` and `today` (inclusive), read from the database."""
        raise NotImplementedError

    def render(self, item: DueItem) -> tuple[str, str, str]:
        context = {"rule": self, "item": item, "obj": item.obj, "recipient": item.recipient}
        context.update(item.context or {})
        subject = str(self.subject).format(**context)
        text = render_to_string(f"reminders/{self.code}.txt", context)
        html = render_to_string(f"reminders/{self.code}.html", context)
        return subject, text, html


_rules: dict[str, ReminderRule] = {}


def register_rule(rule: ReminderRule) -> None:
    _rules[rule.code] = rule


def rules() -> list[ReminderRule]:
    return list(_rules.values())


def optional_rules() -> list[ReminderRule]:
    return [r for r in _rules.values() if r.optional]


def get_rule(code: str) -> ReminderRule:
    return _rules[code]


def _preferences(user_ids: set[int]) -> dict[int, ReminderPreference]:
    return {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=user_ids)}


def _key(item: DueItem) -> tuple[int, int, int, dt.date]:
    ct = ContentType.objects.get_for_model(item.obj)
    return (ct.pk, item.obj.pk, item.recipient.pk, item.due_date)


def _already_recorded(rule: ReminderRule, items: list[DueItem], *, since: dt.date) -> set:
    """Keys already in ReminderSent (a cheap pre-filter; the unique constraint still decides)."""
    object_ids = {i.obj.pk for i in items}
    return set(
        ReminderSent.objects.filter(
            rule=rule.code, due_date__gte=since, object_id__in=object_ids
        ).values_list("content_type_id", "object_id", "recipient_id", "due_date")
    )


#: Due items handled together (one query for preferences, one for those already recorded).
SWEEP_BATCH_SIZE = 500


def reminders_send_due(*, today: dt.date | None = None, only: Iterable[str] | None = None) -> int:
    """The sweep: send every due reminder once. Returns how many were recorded now."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    recorded = 0
    connection = get_connection()
    for rule in rules():
        if only is not None and rule.code not in only:
            continue
        due = (i for i in rule.due(today=today, since=since) if since <= i.due_date <= today)
        # In batches: memory stays flat however many reminders are due (national scale).
        while items := list(islice(due, SWEEP_BATCH_SIZE)):
            prefs = _preferences({i.recipient.pk for i in items})
            done = _already_recorded(rule, items, since=since)
            for item in items:
                if _key(item) in done:
                    continue
                pref = prefs.get(item.recipient.pk)
                if rule.optional and pref is not None and rule.code in pref.disabled_rules:
                    continue
                digest = bool(rule.optional and pref is not None and pref.weekly_digest)
                if _record_and_send(rule, item, digest=digest, connection=connection):
                    recorded += 1
    return recorded


def _record_and_send(rule: ReminderRule, item: DueItem, *, digest: bool, connection) -> bool:
    subject, text, html = rule.render(item)
    try:
        with transaction.atomic():
            sent = ReminderSent.objects.create(
                rule=rule.code,
                content_type=ContentType.objects.get_for_model(item.obj),
                object_id=item.obj.pk,
                recipient=item.recipient,
                due_date=item.due_date,
                digest=digest,
                email_subject=subject[:255],
                sent_at=None if digest else timezone.now(),
            )
            if item.timeline_subject is not None:
                timeline_record(
                    subject=item.timeline_subject,
                    verb="reminder",
                    message=subject,
                    internal=item.recipient.role != "owner",
                    data={
                        "rule": rule.code,
                        "recipient": item.recipient.email,
                        "due_date": item.due_date.isoformat(),
                        "digest": digest,
                    },
                )
            if not digest:
                _send(item.recipient, subject, text, html, connection=connection)
    except IntegrityError:
        return False  # already recorded by another sweep: the unique constraint decided
    logger.info("Reminder %s sent to %s (due %s)", rule.code, item.recipient.email, sent.due_date)
    return True


def _send(recipient: User, subject: str, text: str, html: str, *, connection=None) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def reminders_send_digests(*, today: dt.date | None = None) -> int:
    """The weekly digest: one e-mail per user gathering their recorded optional reminders."""
    today = today or timezone.localdate()
    pending = (
        ReminderSent.objects.filter(digest=True, sent_at__isnull=True)
        .select_related("recipient")
        .order_by("recipient_id", "due_date", "pk")
    )
    by_user: dict[int, list[ReminderSent]] = {}
    for row in pending:
        by_user.setdefault(row.recipient_id, []).append(row)
    sent = 0
    for rows in by_user.values():
        recipient = rows[0].recipient
        with transaction.atomic():
            claimed = ReminderSent.objects.filter(
                pk__in=[r.pk for r in rows], sent_at__isnull=True
            ).update(sent_at=timezone.now())
            if claimed != len(rows):
                transaction.set_rollback(True)  # another digest run got there first
                continue
            with translation.override("fr"):
                context = {"rows": rows, "recipient": recipient, "today": today}
                subject = render_to_string("reminders/digest_subject.txt", context).strip()
                text = render_to_string("reminders/digest.txt", context)
                html = render_to_string("reminders/digest.html", context)
            _send(recipient, subject, text, html)
        sent += 1
    return sent


def reminder_preference_for(user: User) -> ReminderPreference:
    return ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)


def reminder_preference_update(
    *, user: User, disabled_rules: list[str], weekly_digest: bool
) -> ReminderPreference:
    allowed = {r.code for r in optional_rules()}
    pref, _ = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "disabled_rules": sorted(set(disabled_rules) & allowed),
            "weekly_digest": weekly_digest,
        },
    )
    return pref
