"""Our middleware: two-factor enforcement, and the response headers Django does not set."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .otp import otp_has_device
from .security import otp_required

#: Pages an authenticated but not yet verified user may still open.
OTP_EXEMPT_VIEWS = frozenset(
    {"core:otp_verify", "core:otp_setup", "logout", "set_language", "healthz", "login"}
)


class OTPRequiredMiddleware:
    """Send an unverified user who must give a code to the code page (or the set-up page).

    Installed after django-otp's OTPMiddleware, which tells whether the session is verified.
    Token-authenticated API calls carry no session user and are not concerned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not otp_required(request) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Validez d'abord votre code de double authentification.")},
                status=403,
            )

        target = "core:otp_verify" if otp_has_device(user) else "core:otp_setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))


def permissions_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    """Permissions-Policy (browser features no page uses) and a same-origin resource policy."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware
