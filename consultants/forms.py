from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.forms import ModelChoiceFilter
from core.models import Departement
from core.submissions import OnceFormMixin
from core.uploads import upload_read_csv
from diagnostics.models import Theme
from enrolment.models import Pilot

from .models import Action, Expert, KeyIssue

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PoolFilter(django_filters.FilterSet):
    AVAILABILITY = [("free", _("Disponibles (place libre)")), ("full", _("Complets"))]

    q = django_filters.CharFilter(method="filter_q", label=_("Nom ou cabinet"))
    kind = django_filters.ChoiceFilter(choices=Expert.Kind.choices, label=_("Type"))
    specialty = ModelChoiceFilter(
        field_name="specialties",
        queryset=Theme.objects.all(),
        label_field="name",  # Theme.__str__
        reference="themes",
        label=_("Spécialité"),
    )
    departement = ModelChoiceFilter(
        field_name="departements",
        queryset=Departement.objects.filter(in_programme=True),
        reference="departements_in_programme",
        label=_("Territoire"),
    )
    accreditation = django_filters.ChoiceFilter(
        choices=Expert.Accreditation.choices, label=_("Habilitation")
    )
    availability = django_filters.ChoiceFilter(
        choices=AVAILABILITY, method="filter_availability", label=_("Disponibilité")
    )

    class Meta:
        model = Expert
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(user__last_name__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(firm__icontains=value)
        )

    def filter_availability(self, queryset, name, value):
        if value == "free":
            return queryset.filter(
                accreditation=Expert.Accreditation.ACTIVE, load__lt=F("capacity")
            )
        if value == "full":
            return queryset.filter(load__gte=F("capacity"))
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV du vivier"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        """The file's text: a .csv name, a bounded size, text content (UTF-8 or Windows-1252)."""
        return upload_read_csv(
            self.cleaned_data["file"], max_bytes=settings.CONSULTANT_IMPORT_MAX_UPLOAD_BYTES
        )


class ConflictForm(forms.Form):
    siret = forms.CharField(label=_("SIRET de l'entreprise"), max_length=14, min_length=14)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    consultant = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=Expert.objects.consultants().select_related("user"),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class HalfDayForm(OnceFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    subject = forms.CharField(label=_("Objet"), max_length=255)
    attendees = forms.CharField(label=_("Participants"), max_length=500)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AmendmentForm(OnceFormMixin, forms.Form):
    extra_half_days = forms.IntegerField(
        label=_("Demi-journées supplémentaires"), min_value=1, max_value=20
    )
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class KeyIssueForm(OnceFormMixin, forms.Form):
    title = forms.CharField(label=_("Enjeu clé"), max_length=255)


class ActionPlanForm(OnceFormMixin, forms.Form):
    key_issue = forms.ModelChoiceField(
        label=_("Enjeu clé"), queryset=KeyIssue.objects.none(), required=False
    )
    title = forms.CharField(label=_("Intitulé du plan"), max_length=255)
    objective = forms.CharField(
        label=_("Objectif"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, key_issues=None, targeted=False, **kwargs):
        super().__init__(*args, **kwargs)
        if targeted:
            del self.fields["key_issue"]
        else:
            self.fields["key_issue"].queryset = key_issues
            self.fields["key_issue"].required = True


class ActionForm(OnceFormMixin, forms.Form):
    title = forms.CharField(label=_("Action"), max_length=255)
    owner = forms.ModelChoiceField(label=_("Responsable (pilote)"), queryset=Pilot.objects.none())
    due_date = forms.DateField(label=_("Échéance"), widget=DATE)

    def __init__(self, *args, pilots=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = pilots


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Action.Status.choices)


class IndicatorForm(OnceFormMixin, forms.Form):
    name = forms.CharField(label=_("Indicateur"), max_length=200)
    unit = forms.CharField(label=_("Unité"), max_length=40)
    baseline = forms.DecimalField(label=_("Valeur de départ"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(label=_("Cible"), max_digits=14, decimal_places=2)


class MeasurementForm(OnceFormMixin, forms.Form):
    date = forms.DateField(label=_("Date de la mesure"), widget=DATE)
    value = forms.DecimalField(
        label=_("Valeur"),
        max_digits=14,
        decimal_places=2,
        error_messages={"required": _("Saisissez la valeur mesurée.")},
    )


class SummaryForm(forms.Form):
    closing_summary = forms.CharField(
        label=_("Synthèse de clôture"), widget=forms.Textarea(attrs={"rows": 5})
    )
