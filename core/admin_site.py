"""The Django admin behind the same two steps as the portal (password, then code)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    """django-otp's admin site (staff only once verified by a code), kept at `admin:` and
    logging in through the portal's own two-step page rather than the admin's form."""

    site_header = _("Performance PME — administration")
    site_title = _("Performance PME")
    index_title = _("Administration du portail")

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(reverse("login") + "?" + urlencode({"next": target}))
