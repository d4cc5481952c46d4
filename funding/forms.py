"""Forms of the ledger pages: they validate input; the services apply the rules."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import AmountField
from core.submissions import OnceFormMixin

from .models import CHART_OF_ACCOUNTS, JournalLine, Payment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class PaymentForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Nature du paiement"), choices=Payment.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    amount = AmountField(label=_("Montant (EUR)"))
    reference = forms.CharField(
        label=_("Référence"), max_length=100, help_text=_("N° de chèque, de virement…")
    )
    company = forms.ModelChoiceField(
        label=_("Entreprise"), queryset=None, required=False, empty_label=_("— entreprise —")
    )
    consultant = forms.ModelChoiceField(
        label=_("Consultant"), queryset=None, required=False, empty_label=_("— consultant —")
    )
    overpayment_reason = forms.CharField(
        label=_("Motif si le montant dépasse le restant dû"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, companies, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["consultant"].queryset = consultants
        self.fields["consultant"].label_from_instance = lambda e: (
            e.user.get_full_name() or e.user.email
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Payment.Kind.COMPANY and not data.get("company"):
            self.add_error("company", _("Choisissez l'entreprise qui a payé."))
        if data.get("kind") == Payment.Kind.CONSULTANT and not data.get("consultant"):
            self.add_error("consultant", _("Choisissez le consultant payé."))
        amount = data.get("amount")
        if amount is not None and amount <= 0:
            self.add_error("amount", _("Le montant doit être strictement positif."))
        return data


class PeriodCloseForm(forms.Form):
    until = forms.DateField(label=_("Clôturer jusqu'au (inclus)"), widget=DateInput())


class PeriodFilterForm(forms.Form):
    start = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return data


class JournalFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(
        field_name="entry__date", lookup_expr="gte", label=_("Du"), widget=DateInput()
    )
    end = django_filters.DateFilter(
        field_name="entry__date", lookup_expr="lte", label=_("Au"), widget=DateInput()
    )
    account = django_filters.ChoiceFilter(field_name="account__code", label=_("Compte"), choices=[])
    party = django_filters.CharFilter(
        label=_("Entreprise ou consultant"), method="search_party", max_length=100
    )
    # By id (links from the statements): hidden, a relay has thousands of companies and
    # consultants, too many for a drop-down list.
    company = django_filters.ModelChoiceFilter(
        field_name="company", label=_("Entreprise"), queryset=None, widget=forms.HiddenInput
    )
    consultant = django_filters.ModelChoiceFilter(
        field_name="consultant", label=_("Consultant"), queryset=None, widget=forms.HiddenInput
    )

    class Meta:
        model = JournalLine
        fields: list[str] = []

    def __init__(self, *args, companies, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["account"].extra["choices"] = [
            (code, f"{code} {name}") for code, name in CHART_OF_ACCOUNTS
        ]
        self.filters["company"].queryset = companies
        self.filters["consultant"].queryset = consultants
        self.form.fields["party"].widget.attrs["placeholder"] = _("nom ou SIRET")

    def search_party(self, queryset, name, value):
        """Lines of the companies (name, SIRET) or consultants (name) matching `value`."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(company__name__icontains=value)
            | Q(company__siret__startswith=value.replace(" ", ""))
            | Q(consultant__user__last_name__icontains=value)
            | Q(consultant__user__first_name__icontains=value)
        )


class InstalmentFilterForm(forms.Form):
    """The Region's instalments: by state (payable ones by default), relay and due period."""

    UNPAID = "unpaid"
    ALL = "all"
    STATUS_CHOICES = [
        (UNPAID, _("À approuver ou à verser")),
        ("due", _("Exigibles — à approuver")),
        ("approved", _("Approuvées — à verser")),
        ("paid", _("Versées")),
        ("cancelled", _("Annulées")),
        (ALL, _("Toutes")),
    ]

    status = forms.ChoiceField(label=_("État"), choices=STATUS_CHOICES, required=False)
    relay = forms.ModelChoiceField(
        label=_("Structure relais"),
        queryset=None,
        required=False,
        empty_label=_("Toutes"),
        to_field_name="slug",
    )
    due_from = forms.DateField(label=_("Exigibles du"), required=False, widget=DateInput())
    due_to = forms.DateField(label=_("au"), required=False, widget=DateInput())

    def __init__(self, *args, relays, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relay"].queryset = relays

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return data

    def filter(self, queryset):
        """The rows the filter selects (an invalid filter: the default, payable rows)."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or self.UNPAID
        if status == self.UNPAID:
            queryset = queryset.filter(status__in=["due", "approved"])
        elif status != self.ALL:
            queryset = queryset.filter(status=status)
        if data.get("relay"):
            queryset = queryset.filter(relay=data["relay"])
        if data.get("due_from"):
            queryset = queryset.filter(due_on__gte=data["due_from"])
        if data.get("due_to"):
            queryset = queryset.filter(due_on__lte=data["due_to"])
        return queryset
