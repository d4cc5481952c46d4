"""Filters of core pages: the journal of changes (audit trail)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .audit import audit_kinds, journal_queryset


def _kind_choices():
    return [(k.key, k.label) for k in audit_kinds()]


class AuditFilter(django_filters.FilterSet):
    """Kind of object, author (e-mail, or the system), date range; applied to every history table."""

    kind = django_filters.ChoiceFilter(
        choices=_kind_choices, label=_("Type d'objet"), method="noop"
    )
    user = django_filters.CharFilter(label=_("Utilisateur (e-mail)"), method="noop")
    system = django_filters.BooleanFilter(
        label=_("Changements du système uniquement"),
        method="noop",
        widget=forms.CheckboxInput,
    )
    date_from = django_filters.DateFilter(
        label=_("Du"), method="noop", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("Au"), method="noop", widget=forms.DateInput(attrs={"type": "date"})
    )

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        kind = data.get("kind")
        return journal_queryset(
            kinds=[kind] if kind else None,
            user_email=(data.get("user") or "").strip() or None,
            system=bool(data.get("system")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
