"""Personal data (RGPD): what the portal holds about a person, its export and anonymisation.

Each app registers a provider from its `AppConfig.ready()` (as with `core.registry`), so core
never imports the apps. A person is identified by an e-mail address: the account's, or a
pilot's (pilots are persons who may have no account). A provider can

- `export(person)`: return its sections of the export (JSON-able, empty when it knows nothing);
- `names(person)`: return the names under which it knows the person (to scrub free text);
- `subject(person)`: return an object to hang the timeline on when there is no account;
- `anonymise(ctx)`: replace the person's data with placeholders, return rows changed;
- `activity()`: yield `(email, end of last activity, still active)` for every person it knows,
  in a few queries (the retention sweep reads every provider at once).

Anonymisation keeps every row and primary key (pseudonymous ids): ledger entries, statistics,
dashboards and counts are unchanged; ledger entries are never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils import timezone

from .audit import audit_kinds
from .exceptions import BusinessRuleError
from .models import ReminderSent, TimelineEvent, User
from .services import timeline_record

#: Domain of the placeholder addresses (reserved by RFC 2606: never delivered).
ANONYMOUS_DOMAIN = "anonyme.invalid"
EXPORT_FORMAT = "performance-pme/donnees-personnelles/v1"

Activity = tuple[str, dt.datetime | dt.date | None, bool]


class PersonNotFound(Exception):
    """No account and no record of the portal carries this e-mail address."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


@dataclass(frozen=True)
class Person:
    email: str
    user: Any = None  # core.User or None (a pilot without an account)


@dataclass
class Anonymisation:
    """What providers need to anonymise a person consistently."""

    person: Person
    #: The strings to scrub from free text (names, e-mail), longest first.
    needles: list[str]
    #: What replaces them in free text ("Personne anonymisée n° 12").
    label: str

    def scrub(self, text: str) -> str:
        return scrub_text(text, self.needles, self.label)


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    export: Callable[[Person], dict[str, Any]]
    anonymise: Callable[[Anonymisation], int] | None = None
    names: Callable[[Person], list[str]] | None = None
    subject: Callable[[Person], models.Model | None] | None = None
    activity: Callable[[], Iterable[Activity]] | None = None
    order: int = 50


_providers: dict[str, PersonalDataProvider] = {}


def register_personal_data(
    *,
    key: str,
    export: Callable[[Person], dict[str, Any]],
    anonymise: Callable[[Anonymisation], int] | None = None,
    names: Callable[[Person], list[str]] | None = None,
    subject: Callable[[Person], models.Model | None] | None = None,
    activity: Callable[[], Iterable[Activity]] | None = None,
    order: int = 50,
) -> None:
    """Register (or replace, on a second `ready()`) one app's personal-data provider."""
    _providers[key] = PersonalDataProvider(
        key=key,
        export=export,
        anonymise=anonymise,
        names=names,
        subject=subject,
        activity=activity,
        order=order,
    )


def providers() -> list[PersonalDataProvider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.key))


# --- Helpers for providers -------------------------------------------------------------------


def is_anonymous_email(email: str) -> bool:
    return email.lower().endswith("@" + ANONYMOUS_DOMAIN)


def placeholder_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{ANONYMOUS_DOMAIN}"


def scrub_text(text: str, needles: Iterable[str], label: str) -> str:
    """Replace each needle (whole words, any case) in `text` by `label`."""
    for needle in needles:
        if needle and text:
            text = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", label, text, flags=re.IGNORECASE)
    return text


def scrub_queryset(queryset: models.QuerySet, fields: Iterable[str], ctx: Anonymisation) -> int:
    """Scrub the person's names from text (or JSON) fields of the rows that mention them."""
    changed = 0
    for name in fields:
        model_field = queryset.model._meta.get_field(name)
        is_json = isinstance(model_field, models.JSONField)
        condition = models.Q()
        lookup = "_rgpd_text__icontains" if is_json else f"{name}__icontains"
        for needle in ctx.needles:
            condition |= models.Q(**{lookup: needle})
        if not condition:
            continue
        qs = queryset.annotate(_rgpd_text=Cast(name, models.TextField())) if is_json else queryset
        for obj in qs.filter(condition).only("pk", name):
            value = getattr(obj, name)
            new = _scrub_json(value, ctx) if is_json else ctx.scrub(value)
            if new != value:
                queryset.model.objects.filter(pk=obj.pk).update(**{name: new})
                changed += 1
    return changed


def _scrub_json(value, ctx: Anonymisation):
    if isinstance(value, str):
        return ctx.scrub(value)
    if isinstance(value, list):
        return [_scrub_json(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, ctx) for k, v in value.items()}
    return value


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- Services -------------------------------------------------------------------------------


def person_find(email: str) -> Person:
    """The person behind an e-mail address, or `PersonNotFound`."""
    email = (email or "").strip().lower()
    if not email:
        raise PersonNotFound(email)
    user = User.objects.filter(email__iexact=email).select_related("relay").first()
    person = Person(email=email, user=user)
    if user is None and _subject(person) is None:
        raise PersonNotFound(email)
    return person


def _subject(person: Person) -> models.Model | None:
    if person.user is not None:
        return person.user
    for provider in providers():
        if provider.subject is not None:
            found = provider.subject(person)
            if found is not None:
                return found
    return None


def personal_data_collect(person: Person) -> dict[str, Any]:
    """Everything the portal holds about `person`, as JSON-able data (no audit record)."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "email": person.email,
    }
    for provider in providers():
        data.update(provider.export(person))
    return data


def personal_data_events(*, limit: int = 30):
    """The latest exports and anonymisations (the audit shown to the director)."""
    return (
        TimelineEvent.objects.filter(verb__in=["rgpd.export", "rgpd.anonymised"])
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def personal_data_export(*, email: str, by) -> dict[str, Any]:
    """Export a person's data and record who exported whose data in the timeline."""
    person = person_find(email)
    data = personal_data_collect(person)
    timeline_record(
        subject=_subject(person),
        verb="rgpd.export",
        actor=by,
        internal=True,
        data={"person": person.email, "by": getattr(by, "email", "")},
    )
    return data


def _label(person: Person, subject: models.Model) -> str:
    if person.user is not None:
        return f"Personne anonymisée n° {person.user.pk}"
    return f"Personne anonymisée ({subject._meta.model_name} n° {subject.pk})"


def person_anonymise(*, email: str, by=None, reason: str) -> int:
    """Replace everything that identifies the person by placeholders; returns rows changed.

    Idempotent: a second run changes nothing (the placeholders are derived from primary keys)
    and records nothing. Raises `PersonNotFound` for an unknown address.
    """
    person = person_find(email)
    if by is not None and person.user is not None and person.user.pk == by.pk:
        raise BusinessRuleError("Vous ne pouvez pas anonymiser votre propre compte.")
    if not reason.strip():
        raise BusinessRuleError("Le motif de l'anonymisation est obligatoire.", field="reason")
    subject = _subject(person)  # before the e-mail it is found by is replaced
    names: set[str] = {person.email}
    for provider in providers():
        if provider.names is not None:
            names.update(n.strip() for n in provider.names(person) if n and len(n.strip()) >= 3)
    names = {n for n in names if not is_anonymous_email(n) and "anonymisé" not in n.lower()}
    ctx = Anonymisation(
        person=person, needles=sorted(names, key=len, reverse=True), label=_label(person, subject)
    )
    with transaction.atomic():
        changed = sum(p.anonymise(ctx) for p in providers() if p.anonymise is not None)
        changed += _scrub_history(ctx)
        if changed:
            timeline_record(
                subject=subject,
                verb="rgpd.anonymised",
                actor=by,
                internal=True,
                message=reason,
                data={"person": ctx.label, "rows": changed, "automatic": by is None},
            )
    return changed


def _scrub_history(ctx: Anonymisation) -> int:
    """The audit trail keeps former values: the person's names are scrubbed from them too."""
    text_fields = (models.CharField, models.TextField, models.JSONField)
    changed = 0
    for kind in audit_kinds():
        model = kind.history_model
        fields = [
            f.name
            for f in model._meta.fields
            if isinstance(f, text_fields)
            and (not f.name.startswith("history_") or f.name == "history_change_reason")
        ]
        changed += scrub_queryset(model.objects.all(), fields, ctx)
    return changed


def retention_candidates(*, today: dt.date | None = None) -> list[str]:
    """E-mails of the persons whose last activity ended more than RGPD_RETENTION_DAYS ago.

    A person still active somewhere (an open enrolment, a running mission) is never a candidate.
    """
    days = settings.RGPD_RETENTION_DAYS
    if days <= 0:
        return []
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=days)
    last: dict[str, dt.date | None] = {}
    active: set[str] = set()
    for provider in providers():
        if provider.activity is None:
            continue
        for email, when, still_active in provider.activity():
            email = (email or "").lower()
            if not email or is_anonymous_email(email):
                continue
            if still_active:
                active.add(email)
            day = timezone.localdate(when) if isinstance(when, dt.datetime) else when
            if email not in last or (day and (last[email] is None or day > last[email])):
                last[email] = day
    # Staff accounts (relay, director, Region, administrators) only on request, even when
    # their address also appears as a pilot's.

    staff = {
        e.lower()
        for e in User.objects.filter(
            models.Q(is_superuser=True) | ~models.Q(role__in=PARTICIPANT_ROLES)
        ).values_list("email", flat=True)
    }
    return sorted(
        email
        for email, day in last.items()
        if email not in active and email not in staff and day is not None and day < cutoff
    )


def retention_sweep(*, today: dt.date | None = None) -> int:
    """Anonymise every person past the retention period; returns how many were anonymised."""
    count = 0
    reason = f"Durée de conservation dépassée ({settings.RGPD_RETENTION_DAYS} jours)."
    for email in retention_candidates(today=today):
        try:
            if person_anonymise(email=email, by=None, reason=reason):
                count += 1
        except PersonNotFound:  # anonymised meanwhile through another address
            continue
    return count


# --- Core's own provider: the account, timeline, reminders ----------------------------------

#: Roles whose accounts the retention sweep may anonymise (the programme's participants);
#: staff accounts (relay staff, director, Region, administrators) are handled on request.
PARTICIPANT_ROLES = ("owner", "consultant", "trainer")


@dataclass
class _CoreProvider:
    """The account, the timeline events the person authored and the reminders sent to them."""

    roles: tuple[str, ...] = field(default=PARTICIPANT_ROLES)

    @staticmethod
    def export(person: Person) -> dict[str, Any]:
        user = person.user
        if user is None:
            return {"account": None}
        events = TimelineEvent.objects.filter(actor=user).select_related("content_type")
        reminders = ReminderSent.objects.filter(recipient=user)
        return {
            "account": {
                "id": user.pk,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "phone": user.phone,
                "role": user.role,
                "role_label": str(user.get_role_display()),
                "relay": user.relay.name if user.relay_id else None,
                "is_active": user.is_active,
                "date_joined": iso(user.date_joined),
                "last_login": iso(user.last_login),
            },
            "timeline_events_authored": [
                {
                    "date": iso(e.created_at),
                    "object": f"{e.content_type.app_label}.{e.content_type.model}",
                    "object_id": e.object_id,
                    "action": e.verb,
                    "message": e.message,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                }
                for e in events
            ],
            "reminders_received": [
                {
                    "rule": r.rule,
                    "subject": r.email_subject,
                    "due_date": iso(r.due_date),
                    "sent_at": iso(r.sent_at),
                    "weekly_digest": r.digest,
                }
                for r in reminders
            ],
        }

    @staticmethod
    def names(person: Person) -> list[str]:
        user = person.user
        if user is None or not (user.first_name.strip() and user.last_name.strip()):
            return []  # a lone first or last name would scrub other people's mentions
        return [user.get_full_name(), f"{user.last_name} {user.first_name}"]

    @staticmethod
    def anonymise(ctx: Anonymisation) -> int:
        changed = 0
        user = ctx.person.user
        if user is not None:
            values = {
                "email": placeholder_email("personne", user.pk),
                "first_name": "Personne",
                "last_name": f"anonymisée n° {user.pk}",
                "phone": "",
                "is_active": False,
            }
            if any(getattr(user, k) != v for k, v in values.items()) or user.has_usable_password():
                for k, v in values.items():
                    setattr(user, k, v)
                user.set_unusable_password()
                user.save(update_fields=[*values, "password"])
                changed += 1
            changed += scrub_queryset(
                ReminderSent.objects.filter(recipient=user), ["email_subject"], ctx
            )
        changed += scrub_queryset(TimelineEvent.objects.all(), ["message", "data"], ctx)
        return changed

    def activity(self) -> Iterable[Activity]:
        for email, joined, login in User.objects.filter(
            role__in=self.roles, is_superuser=False
        ).values_list("email", "date_joined", "last_login"):
            yield email, max(d for d in (joined, login) if d is not None), False


def register_core_provider() -> None:
    core = _CoreProvider()
    register_personal_data(
        key="core",
        export=core.export,
        names=core.names,
        anonymise=core.anonymise,
        activity=core.activity,
        order=0,
    )


def json_download(data: dict[str, Any]):
    """The export as a JSON attachment (UTF-8, indented, never cached)."""

    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{day}.json"'
    return response
