"""Re-authentication before sensitive actions (exports of personal data, bank-relevant changes).

    @login_required
    @recent_authentication_required            # settings.REAUTH_MAX_AGE (10 min)
    def my_export(request): ...

    @recent_authentication_required(max_age=300, when=lambda r: "format" in r.GET)
    def page_with_export(request): ...         # only the export asks again

    class MyView(RecentAuthenticationRequiredMixin, View): ...

Unless the user typed their password (and code, if they have a device) within the last
`max_age` seconds, they are sent to « Confirmez votre mot de passe » and then back to where
they were going (a POST comes back to the page it was sent from).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

#: Session key: when the user last proved who they are (epoch seconds).
SESSION_AUTH_AT = "auth_confirmed_at"


def authentication_mark(request) -> None:
    """Record that the user just typed their password (login, or the confirmation page)."""
    request.session[SESSION_AUTH_AT] = time.time()


def authenticated_recently(request, max_age: int | None = None) -> bool:
    max_age = settings.REAUTH_MAX_AGE if max_age is None else max_age
    at = request.session.get(SESSION_AUTH_AT)
    return at is not None and 0 <= time.time() - float(at) <= max_age


def safe_next(request, candidate: str | None, default: str = "/") -> str:
    """`candidate` if it points into this site, else `default`."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def reauth_redirect(request):
    """The redirect to the confirmation page, coming back here (or to the form of a POST)."""
    back = request.get_full_path()
    if request.method != "GET":
        referer = safe_next(request, request.META.get("HTTP_REFERER"), default="")
        if referer:
            parts = urlsplit(referer)
            back = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(reverse("core:reauth") + "?" + urlencode({"next": back}))


def recent_authentication_required(
    view: Callable | None = None,
    *,
    max_age: int | None = None,
    when: Callable | None = None,
):
    """Decorator: ask for the password again unless given within `max_age` seconds.

    `when(request)`, if given, limits the check to the requests it returns True for.
    """

    def decorator(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if (when is None or when(request)) and not authenticated_recently(request, max_age):
                return reauth_redirect(request)
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def is_post(request) -> bool:
    """A `when=` for views whose GET only shows and whose POST changes."""
    return request.method == "POST"


class RecentAuthenticationRequiredMixin:
    """Class-based views: same as the decorator (`reauth_max_age`, `reauth_when`)."""

    reauth_max_age: int | None = None

    def reauth_when(self, request) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.reauth_when(request)
            and not authenticated_recently(request, self.reauth_max_age)
        ):
            return reauth_redirect(request)
        return super().dispatch(request, *args, **kwargs)


class RecentAuthenticationAdminMixin:
    """ModelAdmin: adding, changing or deleting asks for the password again."""

    def changeform_view(self, request, *args, **kwargs):
        if not authenticated_recently(request):
            return reauth_redirect(request)
        return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        if not authenticated_recently(request):
            return reauth_redirect(request)
        return super().delete_view(request, *args, **kwargs)
