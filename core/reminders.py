"""The reminder engine: a catalogue of rules, a periodic sweep, each reminder sent once.

A rule (`ReminderRule`) has a code, a French subject, the paragraphs of its e-mail
(`paragraphs()`, translated in Python; `reminder_email()` lays them out between the greeting
and the footer, as plain text and as HTML), a delay read from `settings.REMINDER_DELAYS`, and
a `due()` function that reads the database and returns the `DueItem`s whose due date is today
or earlier. Apps register their rules from `AppConfig.ready()` with `register_rule()`, so the
rule about a model lives with the model (core imports no app).

Due dates live in the database; nothing is scheduled days ahead with a
countdown. The hourly sweep (`core.tasks.reminders_sweep`, Celery beat) calls
`reminders_sweep_dispatch()`: each rule's `due()` is read in batches of
`SWEEP_BATCH_SIZE`, and each batch is *claimed* with one INSERT … ON CONFLICT DO
NOTHING RETURNING into `ReminderSent` (rule, object, recipient, due date: unique).
Only the rows inserted now come back, so two sweeps at once, or a retried task,
never claim the same reminder twice. Each claimed batch goes to the Celery task
`reminders_send_batch`, which the workers share: the rule finds those items again
(`due(objects=…)`), and by chunks the rows still unsent are locked, marked sent and
written to the enrolment's timeline in one transaction, then the e-mails leave. A
batch run twice sends nothing more; if sending fails, the unsent rows go back to
"to send" and the task retries; a batch whose task was lost is dispatched again by a
later sweep (`RESEND_AFTER`). `reminders_send_due()` does the same in one process
(tests, commands).

Users turn optional rules off in their profile (`ReminderPreference`), or ask
for a weekly digest: their optional reminders are then recorded (same unique
row) and sent together by `reminders_send_digests()` (Monday 8:00).

The rules, each registered by the app that owns its model (docs/conventions-relances.md):
  * enrolment/reminders.py: `diagnosis_draft`, `agreement_unsigned`, `mission_ending`,
    `follow_up`, `seminar_soon`;
  * consultants/reminders.py: `halfdays_behind` (the director's "behind schedule" rule);
  * funding/reminders.py: `payment_overdue` (`AidInstalment.objects.overdue()`).
A new rule is a `ReminderRule` subclass with a `due(today, since)` query over its model, its
delay in `REMINDER_DELAYS` and its `paragraphs()`, registered from its app's ready().
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from .emails import PortalEmail
from .models import ReminderPreference, ReminderSent, TimelineEvent, User

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

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        """Items due between `since` and `today` (inclusive), read from the database.

        `objects`: only the items about these objects (primary keys of `DueItem.obj`'s
        model), for a worker sending a claimed batch.
        """
        raise NotImplementedError

    def context(self, item: DueItem) -> dict:
        context = {"rule": self, "item": item, "obj": item.obj, "recipient": item.recipient}
        context.update(item.context or {})
        return context

    def render_subject(self, item: DueItem) -> str:
        return str(self.subject).format(**self.context(item))

    def paragraphs(self, context: dict) -> list[str]:
        """The e-mail's body, one translated paragraph each, from `context()`."""
        raise NotImplementedError

    def render(self, item: DueItem) -> tuple[str, str, str]:
        """The e-mail's subject, plain text and HTML."""
        context = self.context(item)
        subject = str(self.subject).format(**context)
        return subject, *reminder_email(
            recipient=item.recipient, paragraphs=self.paragraphs(context)
        )


def long_date(value: dt.date | dt.datetime) -> str:
    """A date as the e-mails write it ("4 décembre 2026"), a moment in the portal's time zone."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def reminder_email(
    *, recipient: User, paragraphs: list[str], items: list[str] | None = None
) -> tuple[str, str]:
    """A reminder's plain text and HTML: the greeting, the paragraphs, then `items` as a list,
    the invitation to act and the footer.

    The text needs no template; the HTML is laid out by a Jinja2 template
    (`templates/jinja2/reminders/email.html`): the rule's Django templates took half the
    sweep at national scale (docs/performance.md).
    """
    greeting = gettext("Bonjour %(name)s,") % {"name": recipient.get_full_name() or recipient.email}
    act = gettext("Connectez-vous au portail Performance PME pour agir.")
    blocks = [greeting, *paragraphs]
    if items:
        blocks[-1] += "\n" + "".join(f"\n- {line}" for line in items)
    footer = gettext(
        "Vous pouvez désactiver les relances facultatives ou choisir un récapitulatif "
        "hebdomadaire depuis votre profil."
    )
    text = "\n\n".join([*blocks, act, f"--\n{footer}"]) + "\n"
    html = render_to_string(
        "reminders/email.html",
        {
            "lang": translation.get_language() or settings.LANGUAGE_CODE,
            "greeting": greeting,
            "paragraphs": paragraphs,
            "items": items or [],
            "act": act,
            "footer": gettext(
                "Vous recevez ce message dans le cadre du programme Performance PME. Vous pouvez "
                "désactiver les relances facultatives ou choisir un récapitulatif hebdomadaire "
                "depuis votre profil."
            ),
        },
        using="jinja2",
    )
    return text, html


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


Key = tuple[int, int, int, dt.date]  # content type, object, recipient, due date


def _key(item: DueItem) -> Key:
    ct = ContentType.objects.get_for_model(item.obj)
    return (ct.pk, item.obj.pk, item.recipient.pk, item.due_date)


#: Due items claimed together: one query for preferences, one INSERT for the claim.
SWEEP_BATCH_SIZE = 500
#: Reminders marked sent together just before their e-mails leave (see `_send_claimed`).
SEND_CHUNK_SIZE = 50
#: A claimed reminder still unsent after this long (its batch task was lost) is sent again.
RESEND_AFTER = dt.timedelta(minutes=15)

#: How a batch of claimed reminders reaches a worker: `core.tasks.reminders_send_batch`
#: (registered by CoreConfig.ready()); called with (rule code, today ISO, ReminderSent ids).
_dispatch: Callable[[str, str, list[int]], object] | None = None


def register_dispatcher(dispatch: Callable[[str, str, list[int]], object]) -> None:
    global _dispatch
    _dispatch = dispatch


def _window(today: dt.date | None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today, today - dt.timedelta(days=settings.REMINDER_CATCH_UP_DAYS)


def reminders_send_due(*, today: dt.date | None = None, only: Iterable[str] | None = None) -> int:
    """The sweep in this process: claim every due reminder once and send it here.

    Returns how many were claimed now (sent, or recorded for the weekly digest).
    """
    return _sweep(today=today, only=only, dispatch=None)


def reminders_sweep_dispatch(
    *, today: dt.date | None = None, only: Iterable[str] | None = None
) -> int:
    """The periodic sweep: claim here, send in batch tasks that the workers share.

    Reminders claimed by an earlier sweep whose batch never got sent (broker down, task
    lost) are dispatched again first. Returns how many were claimed now.
    """
    today, since = _window(today)
    _redispatch_stale(since=since)
    return _sweep(today=today, only=only, dispatch=_dispatch_batch)


def _sweep(*, today, only, dispatch) -> int:
    today, since = _window(today)
    recorded = 0
    connection = get_connection() if dispatch is None else None
    for rule in rules():
        if only is not None and rule.code not in only:
            continue
        due = (i for i in rule.due(today=today, since=since) if since <= i.due_date <= today)
        # In batches: memory stays flat however many reminders are due (national scale).
        while items := list(islice(due, SWEEP_BATCH_SIZE)):
            claimed = _claim(rule, items)
            recorded += len(claimed)
            to_send = [(pk, item) for pk, item, digest in claimed if not digest]
            if not to_send:
                continue
            if dispatch is None:
                _send_claimed(rule, to_send, connection=connection)
            else:
                dispatch(rule.code, today, [pk for pk, _item in to_send])
    return recorded


def _claim(rule: ReminderRule, items: list[DueItem]) -> list[tuple[int, DueItem, bool]]:
    """Record a batch of due items with one INSERT … ON CONFLICT DO NOTHING.

    The unique constraint decides: only the rows inserted now come back (RETURNING), so
    two sweeps at once, or a sweep run again, never claim the same reminder twice.
    Digest reminders are recorded with their timeline event here; the others are
    "claimed, to send" (`sent_at` empty) until `_send_claimed` marks them sent.
    """
    prefs = _preferences({i.recipient.pk for i in items})
    rows: dict[Key, tuple[DueItem, bool, str]] = {}
    for item in items:
        pref = prefs.get(item.recipient.pk)
        if rule.optional and pref is not None and rule.code in pref.disabled_rules:
            continue
        digest = bool(rule.optional and pref is not None and pref.weekly_digest)
        rows.setdefault(_key(item), (item, digest, rule.render_subject(item)[:255]))
    if not rows:
        return []
    table = ReminderSent._meta.db_table
    columns = "rule, content_type_id, object_id, recipient_id, due_date, created_at, digest, email_subject"
    now = timezone.now()
    if db_connection.vendor == "postgresql":
        # One array per column: eight parameters whatever the batch size.
        keys = list(rows)
        source = (
            "SELECT %s, k.ct, k.obj, k.recipient, k.due, %s::timestamptz, k.digest, k.subject "
            "FROM unnest(%s::integer[], %s::bigint[], %s::bigint[], %s::date[], %s::boolean[], "
            "%s::text[]) AS k(ct, obj, recipient, due, digest, subject)"
        )
        params = [
            rule.code,
            now,
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [k[3] for k in keys],
            [rows[k][1] for k in keys],
            [rows[k][2] for k in keys],
        ]
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        params = []
        for key, (_item, digest, subject) in rows.items():
            params += [rule.code, *key, now, digest, subject]
    sql = (
        f"INSERT INTO {table} ({columns}) {source} "  # noqa: S608 - placeholders only
        "ON CONFLICT (rule, content_type_id, object_id, recipient_id, due_date) DO NOTHING "
        "RETURNING id, content_type_id, object_id, recipient_id, due_date"
    )
    with transaction.atomic():
        with db_connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = cursor.fetchall()
        claimed = []
        for pk, ct, obj, recipient, due_date in returned:
            if isinstance(due_date, str):  # SQLite
                due_date = dt.date.fromisoformat(due_date)
            item, digest, _subject = rows[(ct, obj, recipient, due_date)]
            claimed.append((pk, item, digest))
        _timeline(rule, [(pk, item) for pk, item, digest in claimed if digest], digest=True)
    return claimed


def _timeline(
    rule: ReminderRule, pairs: list[tuple[int, DueItem]], *, digest: bool
) -> dict[int, int]:
    """The reminders' events on their enrolment's timeline (one INSERT): reminder → event."""
    owners, events = [], []
    for pk, item in pairs:
        if item.timeline_subject is None:
            continue
        owners.append(pk)
        events.append(
            TimelineEvent(
                content_type=ContentType.objects.get_for_model(item.timeline_subject),
                object_id=item.timeline_subject.pk,
                verb="reminder",
                message=rule.render_subject(item),
                internal=item.recipient.role != "owner",
                data={
                    "rule": rule.code,
                    "recipient": item.recipient.email,
                    "due_date": item.due_date.isoformat(),
                    "digest": digest,
                },
            )
        )
    created = TimelineEvent.objects.bulk_create(events)
    return {pk: e.pk for pk, e in zip(owners, created, strict=True) if e.pk is not None}


def _send_claimed(rule: ReminderRule, pairs: list[tuple[int, DueItem]], *, connection) -> int:
    """Send claimed reminders, each at most once, by chunks of `SEND_CHUNK_SIZE`.

    A chunk's rows still unsent are locked (skip locked: a second delivery of the same
    batch running at the same time passes them by), marked sent and written to the
    timeline in one transaction, then their e-mails leave. If sending fails, the rows not
    yet sent go back to "to send" (their events deleted) and the error propagates: the
    task retries, or the next sweep does. Only a process killed between that commit and
    the SMTP server's answer loses (at most a chunk of) reminders; none is ever sent twice.
    """
    sent = 0
    for start in range(0, len(pairs), SEND_CHUNK_SIZE):
        chunk = dict(pairs[start : start + SEND_CHUNK_SIZE])
        rendered = {pk: rule.render(item) for pk, item in chunk.items()}
        with transaction.atomic():
            mine = list(
                ReminderSent.objects.select_for_update(skip_locked=True)
                .filter(pk__in=list(chunk), sent_at__isnull=True, digest=False)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            ReminderSent.objects.filter(pk__in=mine).update(sent_at=timezone.now())
            events = _timeline(rule, [(pk, chunk[pk]) for pk in mine], digest=False)
        done: list[int] = []
        try:
            for pk in mine:
                subject, text, html = rendered[pk]
                _send(chunk[pk].recipient, subject, text, html, connection=connection)
                done.append(pk)
        except Exception:
            left = [pk for pk in mine if pk not in set(done)]
            with transaction.atomic():
                ReminderSent.objects.filter(pk__in=left).update(sent_at=None)
                TimelineEvent.objects.filter(
                    pk__in=[events[pk] for pk in left if pk in events]
                ).delete()
            raise
        sent += len(done)
    logger.info("Reminders %s: %s sent", rule.code, sent)
    return sent


def _dispatch_batch(rule_code: str, today: dt.date, ids: list[int]) -> None:
    """Hand a claimed batch to the workers once the claim is committed (never lost: a
    batch whose task does not reach a worker is dispatched again by a later sweep)."""
    if _dispatch is None:  # pragma: no cover - registered when the apps are ready
        return

    def send() -> None:
        try:
            _dispatch(rule_code, today.isoformat(), ids)
        except Exception as exc:  # broker unreachable: a later sweep dispatches them again
            logger.warning("Broker unavailable, %s reminders %s wait: %s", len(ids), rule_code, exc)

    transaction.on_commit(send)


def _redispatch_stale(*, since: dt.date) -> int:
    """Claimed reminders left unsent by a lost batch task go to the workers again."""
    stale = (
        ReminderSent.objects.filter(
            digest=False,
            sent_at__isnull=True,
            due_date__gte=since,
            created_at__lte=timezone.now() - RESEND_AFTER,
        )
        .order_by("rule", "pk")
        .values_list("rule", "pk")
    )
    by_rule: dict[str, list[int]] = {}
    for code, pk in stale:
        by_rule.setdefault(code, []).append(pk)
    today = timezone.localdate()
    for code, ids in by_rule.items():
        for start in range(0, len(ids), SWEEP_BATCH_SIZE):
            _dispatch_batch(code, today, ids[start : start + SWEEP_BATCH_SIZE])
    return sum(len(ids) for ids in by_rule.values())


def reminders_send_batch(*, rule_code: str, today: dt.date, ids: list[int]) -> int:
    """A worker's share of the sweep: send the claimed reminders `ids` of one rule.

    The rule finds its due items again, restricted to these objects (`due(objects=…)`),
    so the e-mail says what is true now. A claimed reminder that is no longer due (the
    diagnosis got submitted meanwhile) is released: nothing was sent, a later sweep claims
    it again if it comes due again. Running the same batch twice sends nothing more.
    """
    rule = _rules.get(rule_code)
    if rule is None:
        logger.error("Unknown reminder rule %s: %s reminders left unsent", rule_code, len(ids))
        return 0
    rows = {
        (r.content_type_id, r.object_id, r.recipient_id, r.due_date): r.pk
        for r in ReminderSent.objects.filter(
            pk__in=ids, rule=rule_code, sent_at__isnull=True, digest=False
        )
    }
    if not rows:
        return 0
    today, since = _window(today)
    pairs: list[tuple[int, DueItem]] = []
    for item in rule.due(today=today, since=since, objects={k[1] for k in rows}):
        pk = rows.pop(_key(item), None)
        if pk is not None:
            pairs.append((pk, item))
    if rows:  # claimed, no longer due: released
        ReminderSent.objects.filter(pk__in=list(rows.values()), sent_at__isnull=True).delete()
    return _send_claimed(rule, pairs, connection=get_connection())


def _send(recipient: User, subject: str, text: str, html: str, *, connection=None) -> None:
    message = PortalEmail(
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
                text, html = reminder_email(
                    recipient=recipient,
                    paragraphs=[gettext("Voici les relances de la semaine :")],
                    items=[f"{date_format(r.due_date, 'd/m/Y')} : {r.email_subject}" for r in rows],
                )
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
