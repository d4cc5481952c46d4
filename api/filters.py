"""Filters: the same fields as the portal's lists, plus `updated_since` for incremental sync."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import SearchFilter, search_smart_split

from catalogue.models import Offer
from consultants.models import ActionPlan, Expert, Indicator, Mission
from core.models import Departement, Relay
from diagnostics.models import Diagnosis
from enrolment.models import Company, Enrolment, EnrolmentState
from funding.models import Account, Funder, JournalEntry


def _empty(values) -> bool:
    return any(v == "" for v in values)


class StrictBooleanField(forms.Field):
    """`true` or `false`, as the schema says (Django's NullBooleanField ignores anything else)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Valeur attendue : true ou false."), code="invalid")


class StrictBooleanFilter(df.BooleanFilter):
    field_class = StrictBooleanField


class ApiFilterSet(df.FilterSet):
    """What every API filter set shares: values checked as the schema documents them.

    - A parameter given empty (`?updated_since=`) is refused (400), except free text.
    - Booleans are `true` or `false` only.
    - NUL characters are removed from free text (as DRF's `search` does): no stored text
      contains one, and PostgreSQL refuses them.
    """

    FILTER_DEFAULTS = {
        **df.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name, flt in self.base_filters.items():
                if isinstance(flt, df.CharFilter) and name in data:
                    data.setlist(name, [v.replace("\x00", "") for v in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, flt in self.filters.items():
            if isinstance(flt, df.CharFilter) or self.data is None or name not in self.data:
                continue
            if _empty(self.data.getlist(name)):
                self.form.add_error(
                    name, _("Valeur vide : donnez une valeur ou omettez le paramètre.")
                )
                valid = False
        return valid


class ApiSearchFilter(SearchFilter):
    """`search`, free text: NUL characters are removed (DRF refuses them with a bare list)."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "").replace("\x00", "")
        return search_smart_split(value)


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter for the API: filter sets built from `filterset_fields` are strict too."""

    filterset_base = ApiFilterSet


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(df.NumberFilter):
    """An object id: a whole number in the database's integer range (400 otherwise).

    Found by schemathesis: `1.07e19` reached SQLite as a value it cannot bind.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UpdatedSinceFilter(df.IsoDateTimeFilter):
    """`updated_since` (ISO 8601), compared in UTC.

    Python accepts UTC offsets up to ±24 h, PostgreSQL only up to ±15:59: normalising
    to UTC first keeps a legal but unusual offset from reaching the database.
    """

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:  # beyond year 9999 once in UTC: nothing changed after it
                return qs.none()
        return super().filter(qs, value)


def updated_since():
    return UpdatedSinceFilter(
        field_name="updated_at", lookup_expr="gte", label=_("modifiées depuis (ISO 8601)")
    )


class CompanyFilter(ApiFilterSet):
    relay = df.ModelChoiceFilter(
        queryset=Relay.objects.all(), to_field_name="slug", label=_("structure relais (slug)")
    )
    departement = df.ModelChoiceFilter(queryset=Departement.objects.all(), label=_("département"))
    state = df.MultipleChoiceFilter(
        field_name="enrolments__state",
        choices=EnrolmentState.choices,
        distinct=True,
        label=_("état d'une inscription"),
    )
    created_after = df.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = df.DateFilter(field_name="created_at", lookup_expr="date__lte")
    updated_since = updated_since()

    class Meta:
        model = Company
        fields = ["relay", "departement", "state", "siret"]


class EnrolmentFilter(ApiFilterSet):
    state = df.MultipleChoiceFilter(choices=EnrolmentState.choices, label=_("état"))
    offer = df.ModelChoiceFilter(
        queryset=Offer.objects.all(), to_field_name="code", label=_("offre (code)")
    )
    relay = df.ModelChoiceFilter(
        field_name="company__relay",
        queryset=Relay.objects.all(),
        to_field_name="slug",
        label=_("structure relais (slug)"),
    )
    departement = df.ModelChoiceFilter(
        field_name="company__departement",
        queryset=Departement.objects.all(),
        label=_("département"),
    )
    company = IdFilter(field_name="company_id", label=_("entreprise (id)"))
    created_after = df.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = df.DateFilter(field_name="created_at", lookup_expr="date__lte")
    updated_since = updated_since()

    class Meta:
        model = Enrolment
        fields = ["state", "offer", "relay", "departement", "company"]


class ExpertFilter(ApiFilterSet):
    kind = df.ChoiceFilter(choices=Expert.Kind.choices, label=_("type"))
    accreditation = df.MultipleChoiceFilter(
        choices=Expert.Accreditation.choices, label=_("habilitation")
    )
    departement = df.ModelChoiceFilter(
        field_name="departements",
        queryset=Departement.objects.all(),
        distinct=True,
        label=_("département couvert"),
    )

    class Meta:
        model = Expert
        fields = ["kind", "accreditation", "departement"]


class MissionFilter(ApiFilterSet):
    consultant = IdFilter(field_name="consultant_id", label=_("consultant (id)"))
    relay = df.ModelChoiceFilter(
        field_name="enrolment__company__relay",
        queryset=Relay.objects.all(),
        to_field_name="slug",
        label=_("structure relais (slug)"),
    )
    active = StrictBooleanFilter(
        field_name="closed_at", lookup_expr="isnull", label=_("en cours (non clôturée)")
    )
    created_after = df.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = df.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Mission
        fields = ["consultant", "relay", "active"]


def relay_slug(field_name: str):
    return df.ModelChoiceFilter(
        field_name=field_name,
        queryset=Relay.objects.all(),
        to_field_name="slug",
        label=_("structure relais (slug)"),
    )


class DiagnosisFilter(ApiFilterSet):
    company = IdFilter(field_name="company_id", label=_("entreprise (id)"))
    enrolment = IdFilter(field_name="enrolment_id", label=_("inscription (id)"))
    relay = relay_slug("company__relay")
    purpose = df.ChoiceFilter(choices=Diagnosis.Purpose.choices, label=_("occasion"))
    submitted_after = df.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = df.DateFilter(field_name="submitted_at", lookup_expr="date__lte")
    updated_since = updated_since()

    class Meta:
        model = Diagnosis
        fields = ["company", "enrolment", "relay", "purpose"]


class ActionPlanFilter(ApiFilterSet):
    mission = IdFilter(field_name="mission_id", label=_("mission (id)"))
    relay = relay_slug("mission__enrolment__company__relay")

    class Meta:
        model = ActionPlan
        fields = ["mission", "relay"]


class IndicatorFilter(ApiFilterSet):
    mission = IdFilter(field_name="plan__mission_id", label=_("mission (id)"))
    plan = IdFilter(field_name="plan_id", label=_("plan d'action (id)"))
    relay = relay_slug("plan__mission__enrolment__company__relay")

    class Meta:
        model = Indicator
        fields = ["mission", "plan", "relay"]


class JournalEntryFilter(ApiFilterSet):
    """The journal page's filters (period, account, company, consultant), plus the relay and
    `created_since` for incremental sync (entries are immutable: no `updated_at`)."""

    relay = relay_slug("relay")
    start = df.DateFilter(field_name="date", lookup_expr="gte", label=_("du"))
    end = df.DateFilter(field_name="date", lookup_expr="lte", label=_("au"))
    account = df.CharFilter(
        field_name="lines__account__code", distinct=True, label=_("compte (numéro)")
    )
    company = IdFilter(field_name="lines__company", distinct=True, label=_("entreprise"))
    consultant = IdFilter(field_name="lines__consultant", distinct=True, label=_("consultant"))
    funder = df.ChoiceFilter(
        field_name="lines__funder", choices=Funder.choices, distinct=True, label=_("financeur")
    )
    event_kind = df.CharFilter(label=_("événement"))
    created_since = UpdatedSinceFilter(
        field_name="created_at", lookup_expr="gte", label=_("créées depuis (ISO 8601)")
    )

    class Meta:
        model = JournalEntry
        fields = ["relay", "event_kind"]


class BalanceFilter(ApiFilterSet):
    relay = relay_slug("relay")
    code = df.CharFilter(label=_("compte (numéro)"))

    class Meta:
        model = Account
        fields = ["relay", "code"]
