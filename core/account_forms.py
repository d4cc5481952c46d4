"""Forms of the account security pages: code, set-up confirmation, password confirmation."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from .otp import otp_throttled, otp_verify

CODE_ERROR = _(
    "Code incorrect ou expiré. Saisissez le code à 6 chiffres affiché par votre application "
    "(vérifiez que l'heure de votre téléphone est juste) ou un code de secours."
)

THROTTLED_ERROR = _(
    "Trop de codes erronés : patientez quelques secondes avant de saisir le nouveau code."
)


def _check_code(user, code):
    """(device, None) or (None, the French error)."""
    throttled = otp_throttled(user, code)
    device = otp_verify(user=user, code=code)
    if device is not None:
        return device, None
    return None, THROTTLED_ERROR if throttled else CODE_ERROR


class OTPCodeForm(forms.Form):
    """A code from the authenticator app, or one backup code."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("Le code à 6 chiffres de votre application, ou un code de secours."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device, error = _check_code(self.user, code)
        if error:
            raise forms.ValidationError(error, code="invalid")
        return code


class TOTPSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthForm(forms.Form):
    """The password again (through django-axes: failures count), and a code if any device."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.device = None
        if with_code:
            self.fields["code"] = OTPCodeForm.base_fields["code"]

    def clean(self):
        data = super().clean()
        user = self.request.user
        password = data.get("password")
        if password is not None:
            authenticated = authenticate(
                self.request, username=user.get_username(), password=password
            )
            if authenticated is None or authenticated.pk != user.pk:
                self.add_error("password", _("Mot de passe incorrect."))
                return data
        if "code" in self.fields and data.get("code"):
            self.device, error = _check_code(user, data["code"])
            if error:
                self.add_error("code", error)
        return data
