"""Forms of the account security pages: code, set-up confirmation, password confirmation."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from .otp import otp_verify

CODE_ERROR = _(
    "Code incorrect ou expiré. Saisissez le code à 6 chiffres affiché par votre application "
    "(vérifiez que l'heure de votre téléphone est juste) ou un code de secours."
)


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
        self.device = otp_verify(user=self.user, code=code)
        if self.device is None:
            raise forms.ValidationError(CODE_ERROR, code="invalid")
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
            self.device = otp_verify(user=user, code=data["code"])
            if self.device is None:
                self.add_error("code", CODE_ERROR)
        return data
