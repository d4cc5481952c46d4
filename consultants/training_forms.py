"""Forms of the pilots' training pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Relay
from core.submissions import OnceFormMixin

from .models import Expert, Trainee, TrainingModule


class TrainingSessionForm(forms.Form):
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=TrainingModule.objects.filter(is_active=True)
    )
    trainer = forms.ModelChoiceField(label=_("Formateur"), queryset=None)
    relay = forms.ModelChoiceField(label=_("Structure relais"), queryset=Relay.objects.all())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Lieu"), max_length=255)
    trainees = forms.ModelMultipleChoiceField(
        label=_("Stagiaires"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = (
            Expert.objects.trainers()
            .filter(accreditation=Expert.Accreditation.ACTIVE)
            .select_related("user")
        )
        trainees = Trainee.objects.visible_to(user).exclude(status=Trainee.Status.COMPLETED)
        self.fields["trainees"].queryset = trainees.select_related("pilot__enrolment__company")
        self.fields["trainees"].label_from_instance = lambda t: (
            f"{t.pilot} — {t.pilot.enrolment.company.name}"
        )
        if user.relay_id and not user.sees_everything:
            del self.fields["relay"]


class TrainingAttendanceForm(OnceFormMixin, forms.Form):
    def __init__(self, *args, attendances, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in attendances:
            name = f"present_{row.trainee_id}"
            self.fields[name] = forms.BooleanField(
                label=_("%(pilot)s présent(e)") % {"pilot": row.trainee.pilot},
                required=False,
                initial=bool(row.present),
            )
            self.rows.append((row, self[name]))

    def values(self) -> dict[int, bool]:
        return {
            row.trainee_id: self.cleaned_data[f"present_{row.trainee_id}"] for row, _f in self.rows
        }


class AssessmentForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Résultat de l'évaluation"),
        choices=[("passed", _("Réussie")), ("failed", _("Non réussie"))],
        widget=forms.RadioSelect,
    )
    score = forms.DecimalField(
        label=_("Note sur 20"),
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=20,
        required=False,
    )
    comment = forms.CharField(
        label=_("Appréciation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class EnrolPilotsForm(forms.Form):
    trainer = forms.ModelChoiceField(label=_("Formateur référent"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = (
            Expert.objects.trainers()
            .filter(accreditation=Expert.Accreditation.ACTIVE)
            .select_related("user")
        )
