"""Forms of the enrolment journey and of the relay staff pages (validation only)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from catalogue.models import DeMinimisRegulation, Offer
from core.forms import ModelChoiceField
from core.models import Relay, User
from core.money import AmountField
from diagnostics.models import Theme

from .deminimis import AID_FIELDS
from .eligibility import clean_naf, clean_siret, departement_code
from .models import Company, EnrolmentState
from .services import COMPANY_FIELDS


def _is_real_departement(code: str | None) -> bool:
    if code is None:
        return False
    if code in {"2A", "2B"} or code in {"971", "972", "973", "974", "976"}:
        return True
    return code.isdigit() and 1 <= int(code) <= 95 and code != "20"


class VersionedForm(forms.Form):
    """Carries the enrolment's version: a stale tab (or double click) is refused, input kept."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SignUpForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"))
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Un compte existe déjà avec cette adresse : connectez-vous.")
            )
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif p1:
            try:
                # the future account, so the similarity rule compares with e-mail and names
                candidate = User(
                    email=data.get("email") or "",
                    first_name=data.get("first_name") or "",
                    last_name=data.get("last_name") or "",
                )
                password_validation.validate_password(p1, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SiretForm(forms.Form):
    siret = forms.CharField(
        label=_("SIRET de l'établissement"),
        max_length=20,
        help_text=_("14 chiffres, sur votre extrait Kbis ou vos factures."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_siret(self):
        return clean_siret(self.cleaned_data["siret"])


class CompanyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    turnover = AmountField(label=_("Chiffre d'affaires annuel (€ HT)"), required=False)
    balance_sheet_total = AmountField(label=_("Total du bilan (€)"), required=False)

    class Meta:
        model = Company
        fields = COMPANY_FIELDS
        labels = {
            "name": _("Raison sociale"),
            "naf_code": _("Code NAF/APE"),
            "headcount": _("Effectif salarié"),
            "address": _("Adresse"),
            "postcode": _("Code postal"),
            "city": _("Commune"),
        }
        help_texts = {"naf_code": _("Par exemple 25.62B.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["name", "naf_code", "headcount", "address", "postcode", "city"]:
            self.fields[name].required = True

    def clean_naf_code(self):
        return clean_naf(self.cleaned_data["naf_code"])

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if not re.fullmatch(r"\d{5}", postcode):
            raise forms.ValidationError(_("Le code postal compte 5 chiffres."))
        if not _is_real_departement(departement_code(postcode)):
            raise forms.ValidationError(
                _("Code postal inconnu : vérifiez-le (par exemple 69100 pour Villeurbanne).")
            )
        return postcode

    def clean(self):
        data = super().clean()
        if data.get("turnover") is None and data.get("balance_sheet_total") is None:
            self.add_error(
                "turnover", _("Indiquez le chiffre d'affaires ou le total du bilan (ou les deux).")
            )
        return data


def company_identity_clean(*, company: Company, data) -> dict:
    """Validate a partial change of a company's identity with the form's own rules.

    Used by the API so that it validates exactly as the enrolment form does;
    raises ValidationError (field → French messages) when the form refuses.
    """
    fields = CompanyForm._meta.fields
    draft = company.enrolments.filter(state="draft").first()
    merged = {**model_to_dict(company, fields=fields), "version": draft.version if draft else 0}
    merged.update({k: v for k, v in data.items() if k in fields})
    form = CompanyForm(data=merged, instance=company)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return {k: form.cleaned_data[k] for k in data if k in fields}


class PilotForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Fonction"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)

    REQUIRED = ["first_name", "last_name", "job_title", "email"]

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(f) for f in self.fields)

    def require(self, message) -> None:
        for f in self.REQUIRED:
            if not self.cleaned_data.get(f) and f not in self.errors:
                self.add_error(f, message)


class OfferForm(VersionedForm):
    offer = forms.ModelChoiceField(
        label=_("Offre"),
        queryset=Offer.objects.filter(is_open=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choisissez une offre.")},
    )
    problem_theme = forms.ModelChoiceField(
        label=_("Le problème à traiter"),
        queryset=Theme.objects.all(),
        required=False,
        empty_label=_("Choisissez le problème à traiter"),
        help_text=_("Proposé d'après votre autodiagnostic : vos thèmes les plus faibles d'abord."),
    )

    def __init__(self, *args, theme_order: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if theme_order:
            themes = {t.code: t for t in Theme.objects.all()}
            ordered = [themes[c] for c in theme_order if c in themes]
            ordered += [t for c, t in themes.items() if c not in theme_order]
            self.fields["problem_theme"].choices = [
                ("", self.fields["problem_theme"].empty_label)
            ] + [(t.pk, t.name) for t in ordered]


class SendBackForm(VersionedForm):
    # not required here: the `send_back` action refuses a blank one with its own message
    comment = forms.CharField(
        label=_("Ce que l'entreprise doit revoir"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note interne (jamais montrée à l'entreprise)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReattachForm(forms.Form):
    relay = forms.ModelChoiceField(
        label=_("Nouvelle structure relais"), queryset=Relay.objects.all()
    )
    reason = forms.CharField(label=_("Motif"), required=False, max_length=500)


class OverrideForm(VersionedForm):
    # not required here: the `derogate` action refuses a blank one with its own message
    justification = forms.CharField(
        label=_("Justification de la dérogation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class WithdrawForm(VersionedForm):
    # not required here: the `withdraw` action refuses a blank one with its own message
    reason = forms.CharField(
        label=_("Motif de l'abandon"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BulkForm(forms.Form):
    ACTIONS = [
        ("validate", _("Valider la sélection")),
        ("export", _("Exporter la sélection (CSV)")),
        ("reattach", _("Rattacher la sélection à une autre structure relais")),
    ]
    action = forms.ChoiceField(label=_("Action groupée"), choices=ACTIONS)
    relay = ModelChoiceField(
        label=_("Structure relais (pour le rattachement)"),
        queryset=Relay.objects.all(),
        label_field="name",  # Relay.__str__
        reference="relays",
        required=False,
    )
    selection = forms.ModelMultipleChoiceField(
        label=_("Inscriptions sélectionnées"),
        queryset=Company.objects.none(),
        error_messages={"required": _("Sélectionnez au moins une inscription.")},
    )

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selection"].queryset = queryset

    def clean(self):
        data = super().clean()
        if data.get("action") == "reattach" and not data.get("relay"):
            self.add_error("relay", _("Choisissez la structure relais de destination."))
        return data


STATE_CHOICES = EnrolmentState.choices


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class DeclaredAidForm(forms.Form):
    """One de minimis aid received by an enterprise of the single undertaking (a blank row is
    skipped)."""

    beneficiary = forms.CharField(label=_("Entreprise bénéficiaire"), max_length=255)
    granting_body = forms.CharField(label=_("Organisme qui a accordé l'aide"), max_length=255)
    granted_on = forms.DateField(label=_("Date d'octroi"), widget=_DateInput())
    amount = AmountField(label=_("Montant (EUR)"))
    regulation = forms.ModelChoiceField(
        label=_("Règlement"),
        queryset=DeMinimisRegulation.objects.order_by("-valid_from"),
        empty_label=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = True
        self.use_required_attribute = False

    def has_changed(self) -> bool:
        # the regulation has a default choice: a row is blank when its typed fields are
        typed = ("beneficiary", "granting_body", "granted_on", "amount")
        return any(self[f].value() not in (None, "") for f in typed)


DeclaredAidFormSet = forms.formset_factory(DeclaredAidForm, extra=3)


class DeclarationCorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


def declared_aid_initial(declaration, *, company) -> list[dict]:
    """The rows of the declaration in force, to start the next version from."""
    if declaration is None:
        return [{"beneficiary": company.name}]
    return [{f: getattr(a, f) for f in AID_FIELDS} for a in declaration.aids.all()]


def declared_aid_rows(formset) -> list[dict]:
    """The filled rows of a valid formset of aids (blank rows are skipped)."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class MessageForm(forms.Form):
    """A message to the other side of the dossier (the file is checked by the service)."""

    text = forms.CharField(
        label=_("Votre message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez votre message.")},
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultative)"),
        required=False,
        help_text=_("Un fichier PDF, PNG ou JPEG de 5 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )

    def __init__(self, *args, max_mb: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_mb is not None:
            self.fields["attachment"].help_text = _(
                "Un fichier PDF, PNG ou JPEG de %(mb)s Mo au plus."
            ) % {"mb": max_mb}
