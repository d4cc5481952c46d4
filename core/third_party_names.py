"""French names for the third-party models shown in the admin (django-otp, django-axes).

Their packages ship English labels ("OTP_STATIC", "Static devices", "created at"). The names
are set on the loaded models when the apps are ready (`CoreConfig.ready`): only the display
names change, never what migrations compare (`Field._verbose_name`, `Meta.original_attrs`
keep the packages' own), so `makemigrations --check` stays clean.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "otp_totp": _("Double authentification — applications"),
    "otp_static": _("Double authentification — codes de secours"),
    "axes": _("Protection des connexions"),
}

#: (app label, model name) → (verbose name, plural)
MODEL_NAMES = {
    ("otp_totp", "totpdevice"): (
        _("application d'authentification"),
        _("applications d'authentification"),
    ),
    ("otp_static", "staticdevice"): (
        _("liste de codes de secours"),
        _("listes de codes de secours"),
    ),
    ("otp_static", "statictoken"): (_("code de secours"), _("codes de secours")),
    ("axes", "accessattemptexpiration"): (
        _("expiration d'une tentative"),
        _("expirations des tentatives"),
    ),
}

_DEVICE_FIELDS = {
    "user": _("utilisateur"),
    "name": _("nom"),
    "confirmed": _("confirmé"),
    "throttling_failure_timestamp": _("dernier échec de code"),
    "throttling_failure_count": _("échecs de code consécutifs"),
    "created_at": _("créé le"),
    "last_used_at": _("dernière utilisation"),
}

#: (app label, model name) → {field name: verbose name}
FIELD_NAMES = {
    ("otp_totp", "totpdevice"): {
        **_DEVICE_FIELDS,
        "key": _("clé secrète"),
        "step": _("durée d'un code (secondes)"),
        "t0": _("origine des temps"),
        "digits": _("nombre de chiffres"),
        "tolerance": _("tolérance (pas)"),
        "drift": _("dérive (pas)"),
        "last_t": _("dernier pas utilisé"),
    },
    ("otp_static", "staticdevice"): _DEVICE_FIELDS,
    ("otp_static", "statictoken"): {"device": _("liste de codes"), "token": _("code")},
    ("axes", "accessattemptexpiration"): {
        "access_attempt": _("tentative de connexion"),
        "expires_at": _("expire le"),
    },
    ("axes", "accesslog"): {"session_hash": _("empreinte de la session (SHA-256)")},
}


def rename_third_party_models() -> None:
    """Give the admin's third-party apps, models and fields their French names."""
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:  # an app left out of INSTALLED_APPS (some test settings)
            continue
    for (label, model_name), (one, many) in MODEL_NAMES.items():
        try:
            meta = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        meta.verbose_name, meta.verbose_name_plural = one, many
    for (label, model_name), fields in FIELD_NAMES.items():
        try:
            meta = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        for field_name, name in fields.items():
            meta.get_field(field_name).verbose_name = name
