"""Filters: the same fields as the portal's lists, plus `updated_since` for incremental sync."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Offer
from consultants.models import ActionPlan, Expert, Indicator, Mission
from core.models import Departement, Relay
from diagnostics.models import Diagnosis
from enrolment.models import Company, Enrolment, EnrolmentState
from funding.models import Account, Funder, JournalEntry


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


class CompanyFilter(df.FilterSet):
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


class EnrolmentFilter(df.FilterSet):
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


class ExpertFilter(df.FilterSet):
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


class MissionFilter(df.FilterSet):
    consultant = IdFilter(field_name="consultant_id", label=_("consultant (id)"))
    relay = df.ModelChoiceFilter(
        field_name="enrolment__company__relay",
        queryset=Relay.objects.all(),
        to_field_name="slug",
        label=_("structure relais (slug)"),
    )
    active = df.BooleanFilter(
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


class DiagnosisFilter(df.FilterSet):
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


class ActionPlanFilter(df.FilterSet):
    mission = IdFilter(field_name="mission_id", label=_("mission (id)"))
    relay = relay_slug("mission__enrolment__company__relay")

    class Meta:
        model = ActionPlan
        fields = ["mission", "relay"]


class IndicatorFilter(df.FilterSet):
    mission = IdFilter(field_name="plan__mission_id", label=_("mission (id)"))
    plan = IdFilter(field_name="plan_id", label=_("plan d'action (id)"))
    relay = relay_slug("plan__mission__enrolment__company__relay")

    class Meta:
        model = Indicator
        fields = ["mission", "plan", "relay"]


class JournalEntryFilter(df.FilterSet):
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


class BalanceFilter(df.FilterSet):
    relay = relay_slug("relay")
    code = df.CharFilter(label=_("compte (numéro)"))

    class Meta:
        model = Account
        fields = ["relay", "code"]
