"""Forms of the agreement pages: the scanned signed copy, the batch selection."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.uploads import upload_read_pdf


class SignedCopyForm(forms.Form):
    file = forms.FileField(
        label=_("Copie signée (PDF)"),
        help_text=_("Le PDF scanné de la convention signée par l'entreprise."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self):
        """Size, .pdf name and PDF content, checked before anything is stored."""
        f = self.cleaned_data["file"]
        upload_read_pdf(f, max_bytes=settings.AGREEMENT_MAX_UPLOAD_BYTES)
        return f


class EnrolmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        offer = obj.offer.name if obj.offer_id else "—"
        return f"{obj.company.name} — {offer} — {obj.get_state_display()}"


class AgreementBatchForm(forms.Form):
    enrolments = EnrolmentChoiceField(
        label=_("Inscriptions dont générer la convention"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Sélectionnez au moins une inscription.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = candidates
