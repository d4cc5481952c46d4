"""Login throttling (django-axes) helpers and the two-factor policy: who must give a code."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

#: Session flag set at login: the user has a confirmed device, so a code is asked even when
#: the role does not require one (a user who enabled two-factor authentication voluntarily).
SESSION_HAS_DEVICE = "otp_has_device"


def axes_username(request, credentials: dict | None) -> str:
    """The e-mail typed on the login form, lower-cased: `Foo@x` and `foo@x` share a counter."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value).strip().lower()


def otp_required_by_role(user) -> bool:
    """Director, Region and administrators (settings.OTP_REQUIRED_ROLES), Django staff too."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user.role in set(settings.OTP_REQUIRED_ROLES))


def otp_required(request) -> bool:
    """Must this request's user have given a code (role, or a device they enabled)?"""
    user = request.user
    return otp_required_by_role(user) or bool(request.session.get(SESSION_HAS_DEVICE))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout: the login page's look with a French message (429), not bare text."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
