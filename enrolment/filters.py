"""The relay staff list's filters (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Offer
from core.forms import ModelChoiceFilter
from core.models import Departement

from .models import Enrolment, EnrolmentState


class EnrolmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou SIRET"), method="search")
    # checkboxes in a fieldset (enrolment/staff_list.html), never a raw multi-select box
    state = django_filters.MultipleChoiceFilter(
        label=_("État"),
        choices=EnrolmentState.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    offer = ModelChoiceFilter(
        label=_("Offre"),
        queryset=Offer.objects.all(),
        label_field="name",  # Offer.__str__
        reference="offers",
        empty_label=_("Toutes"),
    )
    departement = ModelChoiceFilter(
        label=_("Département"),
        field_name="company__departement",
        queryset=Departement.objects.filter(in_programme=True),
        reference="departements_in_programme",
        empty_label=_("Tous"),
    )
    created_after = django_filters.DateFilter(
        label=_("Créée à partir du"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Créée jusqu'au"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Enrolment
        fields = ["q", "state", "offer", "departement", "created_after", "created_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.replace(" ", "")
        if digits.isdigit():
            return queryset.filter(company__siret__startswith=digits)
        return queryset.filter(Q(company__name__icontains=value) | Q(company__siret=value))
