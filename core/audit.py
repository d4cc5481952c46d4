"""The audit trail: who changed which field of which object, and when (django-simple-history).

A model joins the trail with `history = AuditedHistory(label=..., url=...)`; this module keeps
the list of audited models, so core never imports the apps. Each save, creation and deletion
writes a historical row with the request's user (`HistoryRequestMiddleware`); outside a
request (Celery tasks, management commands) the user is empty and shown as « Système ».

Reading is batched: the journal is one UNION over the historical tables for the page and one
count, then a fixed number of queries per audited model for the rows, their previous versions
and the labels of related objects — never one query per change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.apps import apps
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from .models import TimelineEvent
from .money import format_eur

#: History rows whose change only touched these fields are not written (bookkeeping noise).
_NOISE_FIELDS = frozenset({"updated_at", "version", "state_changed_at"})


@dataclass
class AuditKind:
    """One audited model: its key in filters, its label and where its page is."""

    key: str
    label: object
    model_label: str
    url: Callable | None = None
    #: how one object is named in the journal (default: `str(obj)`).
    describe: Callable | None = None
    #: many-to-many fields kept in the trail: field name → its m2m history model.
    m2m: dict[str, type[models.Model]] = field(default_factory=dict)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @cached_property
    def history_model(self) -> type[models.Model]:
        """Read once: simple-history's `Model.history` builds a manager class at each access."""
        return self.model.history.model


_kinds: dict[str, AuditKind] = {}

#: select_related paths for `str()` of related objects shown in diffs (by model label).
_LABEL_RELATED: dict[str, tuple[str, ...]] = {
    "consultants.expert": ("user",),
    "consultants.mission": ("enrolment__company",),
    "consultants.assignment": ("consultant__user", "mission__enrolment__company"),
    "catalogue.tariff": ("offer",),
    "enrolment.enrolment": ("company",),
}


class AuditedHistory(HistoricalRecords):
    """`HistoricalRecords` that registers its model in the audit trail.

    `label`: the kind of object in French; `url`: historical row → page of the object (or None).
    Saves that only touch bookkeeping fields (`updated_at`, `version`, ...) or change no
    tracked value write nothing (one lookup of the latest version per update).
    """

    def __init__(self, *args, label=None, url: Callable | None = None, describe=None, **kwargs):
        self.audit_label = label
        self.audit_url = url
        self.audit_describe = describe
        kwargs.setdefault("excluded_fields", [])
        super().__init__(*args, **kwargs)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if getattr(sender, self.manager_name, None) is None or sender._meta.abstract:
            return
        key = sender._meta.label_lower
        if key not in _kinds and not key.split(".")[1].startswith("historical"):
            _kinds[key] = AuditKind(
                key=key,
                label=self.audit_label or sender._meta.verbose_name,
                model_label=sender._meta.label,
                url=self.audit_url,
                describe=self.audit_describe,
                m2m={f.name: self.m2m_models[f] for f in self.get_m2m_fields_from_model(sender)},
            )

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= _NOISE_FIELDS:
            return
        if not created and not kwargs.get("raw") and self._unchanged(instance):
            return  # a save that changed nothing tracked (a re-import, a no-op form) is no event
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance) -> bool:
        if hasattr(instance, "skip_history_when_saving"):
            return True
        last = getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()
        if last is None or last.history_type == "-":
            return False
        return all(
            getattr(last, f.attname) == getattr(instance, f.attname)
            for f in self.fields_included(instance)
            if not f.primary_key
        )


def audit_kinds() -> list[AuditKind]:
    return sorted(_kinds.values(), key=lambda k: str(k.label))


def audit_kind(key: str) -> AuditKind | None:
    return _kinds.get(key)


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field's change; `old` is None for a creation (or a first recorded version)."""

    field: str
    label: str
    old: str | None
    new: str


@dataclass
class AuditEntry:
    """One historical row, ready to show: who, when, what, and the field-level changes."""

    kind: AuditKind
    history_id: int
    object_id: int
    date: dt.datetime
    history_type: str
    user: object = None
    object_label: str = ""
    url: str | None = None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def user_label(self) -> str:
        return str(self.user) if self.user is not None else _("Système")

    @property
    def action(self) -> str:
        return {"+": _("Création"), "~": _("Modification"), "-": _("Suppression")}[
            self.history_type
        ]

    @property
    def created_at(self) -> dt.datetime:
        """Same name as TimelineEvent's date: entries merge into the object timelines."""
        return self.date


def _tracked_fields(kind: AuditKind) -> list[models.Field]:
    names = {f.attname for f in kind.history_model._meta.concrete_fields}
    return [
        f
        for f in kind.model._meta.concrete_fields
        if f.attname in names and not f.primary_key and f.name not in _NOISE_FIELDS
    ]


def journal_queryset(
    *,
    kinds: Iterable[str] | None = None,
    user=None,
    user_email: str | None = None,
    system: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    scopes: dict[str, models.QuerySet] | None = None,
):
    """The index of changes, newest first, as one UNION over the historical tables.

    Rows are dicts (audit_kind, history_id, audit_object_id, history_date, history_user_id, history_type).
    `scopes` restricts each kind (object timelines): a queryset of live objects whose ids are
    kept, or a `Q` on the historical rows (for objects that may have been deleted, like pilots).
    """
    keys = [k for k in (kinds or _kinds) if k in _kinds]
    if scopes is not None:
        keys = [k for k in keys if k in scopes]
    parts = []
    for key in keys:
        qs = _kinds[key].history_model.objects.all()
        if scopes is not None:
            scope = scopes[key]
            qs = qs.filter(scope) if isinstance(scope, Q) else qs.filter(id__in=scope)
        if system:
            qs = qs.filter(history_user__isnull=True)
        elif user is not None:
            qs = qs.filter(history_user=user)
        if user_email and not system:
            qs = qs.filter(history_user__email__icontains=user_email)
        if date_from:
            qs = qs.filter(history_date__date__gte=date_from)
        if date_to:
            qs = qs.filter(history_date__date__lte=date_to)
        parts.append(
            qs.annotate(audit_kind=Value(key, output_field=CharField()), audit_object_id=F("id"))
            .values(
                "audit_kind",
                "history_id",
                "audit_object_id",
                "history_date",
                "history_user_id",
                "history_type",
            )
            .order_by()
        )
    if not parts:
        return _kinds_placeholder()
    if len(parts) == 1:
        return parts[0].order_by("-history_date", "-history_id")
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


def _kinds_placeholder():
    return TimelineEvent.objects.none().values("pk")


def hydrate(rows: Iterable[dict]) -> list[AuditEntry]:
    """Turn index rows into entries with users, labels and diffs, in a bounded number of queries.

    Per audited model present: its historical rows (with their user) and their previous
    versions; then one query per related model to label foreign keys.
    """
    rows = list(rows)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_kind[row["audit_kind"]].append(row["history_id"])
    current: dict[tuple[str, int], models.Model] = {}
    previous: dict[tuple[str, int], models.Model] = {}
    for key, ids in by_kind.items():
        hist = _kinds[key].history_model
        prev_id = Subquery(
            hist.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        found = list(
            hist.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(prev_history_id=prev_id)
        )
        prev_ids = [h.prev_history_id for h in found if h.prev_history_id] or [0]
        prevs = {p.history_id: p for p in hist.objects.filter(history_id__in=prev_ids)}
        for h in found:
            current[(key, h.history_id)] = h
            if h.prev_history_id:
                previous[(key, h.history_id)] = prevs[h.prev_history_id]

    # Related objects to label: the audited objects themselves and FK values in the diffs.
    wanted: dict[type[models.Model], set] = defaultdict(set)
    plans: list[tuple[dict, models.Model, models.Model | None, list[models.Field]]] = []
    for row in rows:
        kind = _kinds[row["audit_kind"]]
        h = current.get((row["audit_kind"], row["history_id"]))
        if h is None:
            continue
        prev = previous.get((row["audit_kind"], row["history_id"]))
        fields = _changed_fields(kind, h, prev)
        plans.append((row, h, prev, fields))
        wanted[kind.model].add(h.id)
        for f in _tracked_fields(kind):  # every related model of the kind: a fixed query count
            if f.is_relation:
                wanted[f.related_model]
        for f in fields:
            if f.is_relation:
                for value in (getattr(h, f.attname), getattr(prev, f.attname, None)):
                    if value is not None:
                        wanted[f.related_model].add(value)
    labels = _labels(wanted)
    m2m_values = _m2m_values(current, previous)

    entries = []
    for row, h, prev, fields in plans:
        kind = _kinds[row["audit_kind"]]
        own = labels.get(kind.model, {}).get(h.id)
        entry = AuditEntry(
            kind=kind,
            history_id=h.history_id,
            object_id=h.id,
            date=h.history_date,
            history_type=h.history_type,
            user=h.history_user,
            object_label=own if own is not None else _("n° %(id)s (supprimé)") % {"id": h.id},
            url=_url(kind, h),
        )
        entry.changes.extend(_m2m_changes(kind, h, prev, m2m_values))
        for f in fields:
            entry.changes.append(
                FieldChange(
                    field=f.name,
                    label=field_label(f),
                    old=display_value(f, getattr(prev, f.attname), labels)
                    if prev is not None and h.history_type == "~"
                    else None,
                    new=display_value(f, getattr(h, f.attname), labels),
                )
            )
        entries.append(entry)
    return entries


def _m2m_values(current: dict, previous: dict) -> dict[tuple[str, str, int], list[str]]:
    """(kind, field, history_id) → sorted labels, one query per audited many-to-many field."""
    ids: dict[str, set[int]] = defaultdict(set)
    for key, history_id in current:
        ids[key].add(history_id)
        prev = previous.get((key, history_id))
        if prev is not None:
            ids[key].add(prev.history_id)
    values: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for key, history_ids in ids.items():
        for name, m2m_model in _kinds[key].m2m.items():
            target = _kinds[key].model._meta.get_field(name).m2m_reverse_field_name()
            rows = m2m_model.objects.filter(history_id__in=history_ids).select_related(target)
            for row in rows:
                values[(key, name, row.history_id)].append(str(getattr(row, target)))
    return {k: sorted(v) for k, v in values.items()}


def _m2m_changes(kind: AuditKind, h, prev, values: dict) -> list[FieldChange]:
    changes = []
    for name in kind.m2m:
        f = kind.model._meta.get_field(name)
        new = values.get((kind.key, name, h.history_id), [])
        old = values.get((kind.key, name, prev.history_id), []) if prev is not None else None
        if new == old or (old is None and not new):
            continue
        changes.append(
            FieldChange(
                field=name,
                label=field_label(f),
                old=None if old is None or h.history_type != "~" else ", ".join(old) or "—",
                new=", ".join(new) or "—",
            )
        )
    return changes


def _url(kind: AuditKind, h) -> str | None:
    if kind.url is None or h.history_type == "-" and kind.key != "enrolment.pilot":
        return None
    try:
        return kind.url(h)
    except Exception:  # noqa: BLE001 - a page that no longer resolves: no link
        return None


def _changed_fields(kind: AuditKind, h, prev) -> list[models.Field]:
    fields = _tracked_fields(kind)
    if h.history_type in {"+", "-"} or prev is None:  # what was created, or deleted
        return [f for f in fields if getattr(h, f.attname) not in (None, "", [], {})]
    return [f for f in fields if getattr(h, f.attname) != getattr(prev, f.attname)]


def _labels(wanted: dict[type[models.Model], set]) -> dict[type[models.Model], dict]:
    labels: dict[type[models.Model], dict] = {}
    for model, ids in wanted.items():
        related = _LABEL_RELATED.get(model._meta.label_lower, ())
        qs = model._base_manager.filter(pk__in=ids or [0])
        if related:
            qs = qs.select_related(*related)
        kind = _kinds.get(model._meta.label_lower)
        describe = kind.describe if kind and kind.describe else str
        labels[model] = {obj.pk: str(describe(obj)) for obj in qs}
    return labels


#: French names of fields declared without a verbose_name (the default would be English).
_FIELD_LABELS = {
    "offer": gettext_lazy("offre"),
    "user": gettext_lazy("utilisateur"),
    "enrolment": gettext_lazy("inscription"),
    "mission": gettext_lazy("mission"),
    "relay": gettext_lazy("structure relais"),
    "entry": gettext_lazy("écriture comptable"),
    "position": gettext_lazy("rang"),
    "created_at": gettext_lazy("créé le"),
    "created_by": gettext_lazy("créé par"),
    "recorded_by": gettext_lazy("enregistré par"),
    "proposed_by": gettext_lazy("proposée par"),
    "responded_by": gettext_lazy("réponse de"),
    "submitted_at": gettext_lazy("soumise le"),
    "validated_at": gettext_lazy("validée le"),
    "signed_at": gettext_lazy("convention signée le"),
    "closed_at": gettext_lazy("clôturée le"),
    "withdrawn_at": gettext_lazy("abandon le"),
}


def field_label(f: models.Field) -> str:
    """The field's French name, capitalised."""
    name = str(f.verbose_name)
    if name == f.name.replace("_", " ") and f.name in _FIELD_LABELS:
        name = str(_FIELD_LABELS[f.name])
    return name[:1].upper() + name[1:]


def display_value(f: models.Field, value, labels: dict | None = None) -> str:
    """A field's value the French way: choice labels, amounts in euros, dates, yes/no."""
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return (labels or {}).get(f.related_model, {}).get(value, f"n° {value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("Oui") if value else _("Non")
    if isinstance(f, models.DecimalField) and isinstance(value, Decimal):
        if "percent" in f.name or "%" in str(f.verbose_name):
            return f"{formats.number_format(value, decimal_pos=2)} %"
        return format_eur(value)
    if isinstance(f, models.DateTimeField) and isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(f, models.DateField) and isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(f, models.JSONField):
        return _("(mis à jour)")
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def history_for(scopes: dict[str, models.QuerySet | Q], *, limit: int = 100) -> list[AuditEntry]:
    """The latest changes of some objects (each kind restricted to a queryset of ids), newest first."""
    return hydrate(journal_queryset(scopes=scopes)[:limit])


SYSTEM_LABEL = gettext_lazy("Système")


class LazyJournal:
    """A page-able view of the journal for django-tables2: one count, one page, hydrated once."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._count: int | None = None
        self._pages: dict[tuple[int, int], list[AuditEntry]] = {}

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop = key.start or 0, key.stop if key.stop is not None else len(self)
            if (start, stop) not in self._pages:
                self._pages[(start, stop)] = hydrate(self.queryset[start:stop])
            return self._pages[(start, stop)]
        return self[key : key + 1][0]

    def __iter__(self):
        return iter(self[0 : len(self)])
