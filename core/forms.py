import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import User
from .reference import reference_data
from .reminders import optional_rules


class OneQueryChoiceIterator(ModelChoiceIterator):
    """A select's model choices read in one plain query. Django reads them through a
    server-side cursor (DECLARE WITH HOLD, FETCH, CLOSE on PostgreSQL): ≈ 0.5 ms a select
    for a few rows, which a list page with three selects paid on every request. A select
    renders every row anyway: no memory is saved by the cursor.

    A field with a `label_field` (the one field its model's `str()` shows) reads (id, label)
    pairs, no model instances: the relay list's hundred relays cost half a millisecond each
    request as instances. A field with a `reference` key (reference data: offers, relays,
    départements, themes) keeps its (id, label) pairs in `core.reference`'s cache."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.reference:
            yield from reference_data(
                f"choices:{self.field.reference}", self._pairs, model=self.queryset.model
            )
        elif self.field.label_field:
            yield from self._pairs()
        else:
            for obj in self.queryset.all():
                yield self.choice(obj)

    def _pairs(self) -> list[tuple]:
        value = self.field.to_field_name or "pk"
        if self.field.label_field:
            return list(self.queryset.values_list(value, self.field.label_field))
        return [(getattr(obj, value), self.field.label_from_instance(obj)) for obj in self.queryset]


class _PairChoices:
    """A model choice field read as (id, label) pairs: `label_field`, `reference` (see
    `OneQueryChoiceIterator`)."""

    def __init__(
        self, *args, label_field: str | None = None, reference: str | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.label_field = label_field
        self.reference = reference


class ModelChoiceField(_PairChoices, forms.ModelChoiceField):
    """Django's, its choices read in one query (`OneQueryChoiceIterator`)."""

    iterator = OneQueryChoiceIterator


class _FilterChoiceIterator(django_filters.fields.ModelChoiceIterator, OneQueryChoiceIterator):
    """django-filter's (its "null" choice), over `OneQueryChoiceIterator`."""


class _FilterChoiceField(_PairChoices, django_filters.fields.ModelChoiceField):
    iterator = _FilterChoiceIterator


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's, its choices read in one query (`OneQueryChoiceIterator`)."""

    field_class = _FilterChoiceField


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]


class ReminderPreferenceForm(forms.Form):
    """One checkbox per optional reminder rule (checked = receive it), plus the weekly digest."""

    weekly_digest = forms.BooleanField(
        label="Recevoir un récapitulatif hebdomadaire au lieu des relances facultatives",
        required=False,
    )

    def __init__(self, *args, preference, **kwargs):
        super().__init__(*args, **kwargs)
        self._codes = []
        for rule in optional_rules():
            name = f"rule_{rule.code}"
            self._codes.append(rule.code)
            self.fields[name] = forms.BooleanField(
                label=rule.label,
                required=False,
                initial=rule.code not in preference.disabled_rules,
            )
        self.fields["weekly_digest"].initial = preference.weekly_digest
        # the digest checkbox last
        self.fields["weekly_digest"] = self.fields.pop("weekly_digest")

    def disabled_rules(self) -> list[str]:
        return [code for code in self._codes if not self.cleaned_data.get(f"rule_{code}")]


# --- Personal data (RGPD) -------------------------------------------------------------------


class PersonalDataExportForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne"))


class PersonalDataAnonymiseForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne"))
    reason = forms.CharField(
        label=_("Motif (demande de la personne, fin de conservation…)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_(
            "Je confirme l'anonymisation définitive : noms, e-mails, téléphones et textes "
            "libres de cette personne seront remplacés et son compte désactivé."
        )
    )
