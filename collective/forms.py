"""Forms of the collective action pages (groups, seminars, attendance) and the follow-up form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from consultants.models import Expert
from core.models import Departement, Relay
from core.submissions import OnceFormMixin
from diagnostics.models import Theme

from .models import Seminar


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Nom du groupe"), max_length=150)
    departement = forms.ModelChoiceField(
        label=_("Territoire (département)"),
        queryset=Departement.objects.filter(in_programme=True),
    )
    relay = forms.ModelChoiceField(label=_("Structure relais"), queryset=Relay.objects.all())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.relay_id and not user.sees_everything:
            del self.fields["relay"]
            self.fields["departement"].queryset = Departement.objects.filter(
                in_programme=True
            ).order_by("code")


class MemberAddForm(forms.Form):
    enrolment = forms.TypedChoiceField(label=_("Entreprise à ajouter"), coerce=int)

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [
            (
                e.pk,
                f"{e.company.name} ({e.company.departement_id or '—'}) — {e.get_state_display()}",
            )
            for e in enrolments
        ]


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la sortie"), max_length=255)


class SeminarForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Heure de début"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Heure de fin"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Lieu"), max_length=255)
    theme = forms.ModelChoiceField(
        label=_("Thème"), queryset=Theme.objects.all(), required=False, empty_label=_("— libre —")
    )
    title = forms.CharField(
        label=_("Intitulé libre"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire si aucun thème n'est choisi."),
    )
    speaker = forms.ModelChoiceField(
        label=_("Intervenant (consultant ou formateur)"), queryset=None, required=False
    )
    notes = forms.CharField(
        label=_("Informations pratiques"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = (
            Expert.objects.filter(accreditation="active")
            .select_related("user")
            .order_by("kind", "user__last_name", "user__first_name")
        )
        self.fields["speaker"].label_from_instance = lambda e: (
            f"{e.user.get_full_name() or e.user.email} ({e.get_kind_display()})"
        )

    @classmethod
    def initial_for(cls, seminar: Seminar) -> dict:
        start = timezone.localtime(seminar.starts_at)
        end = timezone.localtime(seminar.ends_at)
        return {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "place": seminar.place,
            "theme": seminar.theme_id,
            "title": seminar.title,
            "speaker": seminar.speaker_id,
            "notes": seminar.notes,
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", _("L'heure de fin doit suivre l'heure de début."))
        if not data.get("theme") and not (data.get("title") or "").strip():
            self.add_error("title", _("Choisissez un thème ou saisissez un intitulé libre."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        return {
            "starts_at": timezone.make_aware(
                dt.datetime.combine(data["date"], data["start_time"]), tz
            ),
            "ends_at": timezone.make_aware(dt.datetime.combine(data["date"], data["end_time"]), tz),
            "place": data["place"],
            "theme": data["theme"],
            "title": data["title"],
            "speaker": data["speaker"],
            "notes": data["notes"],
        }


class SeminarAttendanceForm(OnceFormMixin, forms.Form):
    """One checkbox and one names field per expected company."""

    def __init__(self, *args, memberships, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for membership in memberships:
            eid = membership.enrolment_id
            row = existing.get(eid)
            present = forms.BooleanField(
                label=_("%(company)s présente") % {"company": membership.enrolment.company.name},
                required=False,
                initial=row.present if row else False,
            )
            names = forms.CharField(
                label=_("Participants de %(company)s")
                % {"company": membership.enrolment.company.name},
                required=False,
                max_length=255,
                initial=row.attendees if row else "",
            )
            self.fields[f"present_{eid}"] = present
            self.fields[f"attendees_{eid}"] = names
            self.rows.append((membership, self[f"present_{eid}"], self[f"attendees_{eid}"]))

    def values(self) -> tuple[dict[int, bool], dict[int, str]]:
        present, names = {}, {}
        for membership, _p, _n in self.rows:
            eid = membership.enrolment_id
            present[eid] = self.cleaned_data[f"present_{eid}"]
            names[eid] = self.cleaned_data[f"attendees_{eid}"]
        return present, names


class FollowUpAnswerForm(forms.Form):
    still_running = forms.TypedChoiceField(
        label=_("Votre entreprise poursuit-elle sa démarche de progrès ?"),
        choices=[("1", _("Oui, nous continuons")), ("0", _("Non, nous l'avons arrêtée"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    indicators_tracked = forms.CharField(
        label=_("Quels indicateurs suivez-vous encore ?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Par exemple : taux de service, délai de fabrication, niveau de stock."),
    )
    latest_values = forms.CharField(
        label=_("Leurs dernières valeurs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Une ligne par indicateur, avec la date de la mesure."),
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, indicators: list[dict] | None = None, **kwargs):
        """`indicators`: the mission's indicators (followups.followup_indicators): one
        latest-value field each, pre-labelled, before the free-text "other indicators"."""
        super().__init__(*args, **kwargs)
        self.indicators = indicators or []
        names = []
        for row in self.indicators:
            name = f"indicator_{row['id']}"
            names.append(name)
            if row.get("last") is not None:
                hint = _(
                    "À la clôture : %(last)s %(unit)s (cible %(target)s). "
                    "Laissez vide si vous ne le suivez plus."
                ) % {
                    "last": number_format(row["last"], 2),
                    "unit": row["unit"],
                    "target": number_format(row["target"], 2),
                }
            else:
                hint = _("Cible %(target)s %(unit)s. Laissez vide si vous ne le suivez plus.") % {
                    "target": number_format(row["target"], 2),
                    "unit": row["unit"],
                }
            self.fields[name] = forms.DecimalField(
                label=_("Dernière valeur — %(name)s (%(unit)s)")
                % {"name": row["name"], "unit": row["unit"]},
                required=False,
                max_digits=14,
                decimal_places=2,
                localize=True,
                help_text=hint,
            )
        if self.indicators:
            self.fields["indicators_tracked"].label = _("Suivez-vous d'autres indicateurs ?")
            self.fields["latest_values"].label = _("Leurs dernières valeurs")
        self.order_fields(["still_running", *names])

    def indicator_values(self) -> list[dict]:
        """The mission indicators the owner still tracks, with the value given (Decimal)."""
        return [
            {"indicator": row["name"], "unit": row["unit"], "value": value}
            for row in self.indicators
            if (value := self.cleaned_data.get(f"indicator_{row['id']}")) is not None
        ]

    def answer_fields(self) -> dict:
        """Keyword arguments for followups.followup_answer."""
        return {
            "still_running": self.cleaned_data["still_running"],
            "indicators_tracked": self.cleaned_data["indicators_tracked"],
            "latest_values": self.cleaned_data["latest_values"],
            "comment": self.cleaned_data["comment"],
            "indicator_values": self.indicator_values(),
        }


_SCORES = [(str(n), str(n)) for n in range(1, 6)]


def _score_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=_SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
        help_text=_("1 : pas du tout satisfait · 5 : très satisfait"),
    )


class SatisfactionForm(forms.Form):
    """The owner's questionnaire at closing: the consultant on four criteria, the programme,
    the recommendation and a free comment."""

    score_listening = _score_field(_("Le consultant : écoute de votre entreprise"))
    score_competence = _score_field(_("Le consultant : compétence"))
    score_method = _score_field(_("Le consultant : méthode"))
    score_results = _score_field(_("Le consultant : résultats obtenus"))
    score_programme = _score_field(_("Le programme Performance PME dans son ensemble"))
    would_recommend = forms.TypedChoiceField(
        label=_("Recommanderiez-vous le programme à un autre chef d'entreprise ?"),
        choices=[("1", _("Oui")), ("0", _("Non"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )


class NetworkConsentForm(forms.Form):
    """What the owner agrees to show the other members of a group (each box: one field)."""

    show_name = forms.BooleanField(label=_("La raison sociale de l'entreprise"), required=False)
    show_town = forms.BooleanField(label=_("Sa commune"), required=False)
    show_activity = forms.BooleanField(label=_("Son activité"), required=False)
    activity = forms.CharField(
        label=_("Activité, en quelques mots"),
        max_length=200,
        required=False,
        help_text=_("Montrée seulement si la case « Son activité » est cochée."),
    )
    show_contact = forms.BooleanField(
        label=_("Une personne à contacter et son e-mail"), required=False
    )
    contact_name = forms.CharField(label=_("Personne à contacter"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("E-mail de la personne à contacter"), required=False)
    show_work = forms.BooleanField(
        label=_("Ce sur quoi l'entreprise travaille en ce moment"), required=False
    )
    working_on = forms.CharField(
        label=_("Ce sur quoi l'entreprise travaille"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("Par exemple : réduire les stocks d'encours, préparer une certification."),
    )

    @classmethod
    def initial_for(cls, consent, *, company) -> dict:
        """The current choice, or suggestions (the owner's name and e-mail) before the first."""
        if consent.state == consent.State.GIVEN:
            return {
                name: getattr(consent, name)
                for name in (
                    "show_name",
                    "show_town",
                    "show_activity",
                    "activity",
                    "show_contact",
                    "contact_name",
                    "contact_email",
                    "show_work",
                    "working_on",
                )
            }
        owner = company.owner
        return {
            "activity": f"NAF {company.naf_code}" if company.naf_code else "",
            "contact_name": owner.get_full_name() if owner else "",
            "contact_email": owner.email if owner else "",
        }
