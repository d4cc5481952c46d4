"""Account security pages: two-factor code, set-up, backup codes, password confirmation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import otp
from .account_forms import OTPCodeForm, ReauthForm, TOTPSetupForm
from .reauth import authentication_mark, recent_authentication_required, safe_next
from .security import otp_required_by_role

SESSION_SETUP_KEY = "otp_setup_key"


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, candidate, default=reverse(settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_verify(request):
    """Second step of the login: a code from the app, or a backup code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not otp.otp_has_device(request.user):
        return redirect(reverse("core:otp_setup") + "?" + request.GET.urlencode())
    form = OTPCodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        otp.otp_mark_verified(request, form.device)
        authentication_mark(request)
        if form.device.persistent_id.startswith("otp_static"):
            left = otp.backup_codes_left(user=request.user)
            messages.warning(
                request,
                _(
                    "Vous vous êtes connecté avec un code de secours ; il vous en reste %(n)s. "
                    "Générez-en de nouveaux dans « Sécurité du compte »."
                )
                % {"n": left},
            )
        return redirect(_next(request))
    return render(request, "core/security/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_setup(request):
    """Add an authenticator app: QR code (inline SVG) and key, then a first code to confirm."""
    user = request.user
    if otp.otp_has_device(user):
        if not user.is_verified():  # replacing a device needs the current one first
            return redirect(reverse("core:otp_verify") + "?" + request.GET.urlencode())
        return redirect("core:security")
    key = request.session.get(SESSION_SETUP_KEY)
    if not key:
        key = request.session[SESSION_SETUP_KEY] = otp.totp_new_key()
    form = TOTPSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.totp_confirm(user=user, key_hex=key, code=form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("Code incorrect. Vérifiez l'heure de votre téléphone."))
        else:
            del request.session[SESSION_SETUP_KEY]
            otp.otp_mark_verified(request, device)
            authentication_mark(request)
            codes = otp.backup_codes_create(user=user)
            return render(
                request,
                "core/security/backup_codes.html",
                {"codes": codes, "next": _next(request), "first_time": True},
            )
    return render(
        request,
        "core/security/otp_setup.html",
        {
            "form": form,
            "qr": mark_safe(otp.qr_svg(otp.totp_config_url(user=user, key_hex=key))),  # noqa: S308 - our own SVG
            "secret": otp.totp_b32(key),
            "required": otp_required_by_role(user),
            "next": _next(request),
        },
    )


@login_required
def security(request):
    """« Sécurité du compte »: two-factor status, backup codes, enable or disable."""
    user = request.user
    return render(
        request,
        "core/security/security.html",
        {
            "enabled": otp.otp_has_device(user),
            "required": otp_required_by_role(user),
            "codes_left": otp.backup_codes_left(user=user),
        },
    )


@login_required
@require_POST
@recent_authentication_required
def backup_codes_regenerate(request):
    if not otp.otp_has_device(request.user):
        return redirect("core:security")
    codes = otp.backup_codes_create(user=request.user)
    return render(
        request,
        "core/security/backup_codes.html",
        {"codes": codes, "next": reverse("core:security"), "first_time": False},
    )


@login_required
@require_POST
@recent_authentication_required
def otp_disable(request):
    """Optional two-factor authentication can be turned off; a required one cannot."""
    if otp_required_by_role(request.user):
        messages.error(request, _("La double authentification est obligatoire pour votre rôle."))
        return redirect("core:security")
    otp.otp_disable(user=request.user)
    request.session.pop("otp_has_device", None)
    messages.success(request, _("La double authentification est désactivée."))
    return redirect("core:security")


@never_cache
@sensitive_post_parameters("password", "code")
@login_required
def reauth(request):
    """« Confirmez votre mot de passe » before a sensitive action, then back to it."""
    with_code = otp.otp_has_device(request.user)
    form = ReauthForm(request.POST or None, request=request, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        authentication_mark(request)
        if form.device is not None:
            otp.otp_mark_verified(request, form.device)
        return redirect(_next(request))
    return render(request, "core/security/reauth.html", {"form": form, "next": _next(request)})
