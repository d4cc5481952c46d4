"""The Django admin behind the same two steps as the portal (password, then code)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse


class PortalAdminSite(admin.AdminSite):
    """Staff only once verified by a code (django-otp); login goes through the portal's page."""

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and user.is_verified()

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(reverse("login") + "?" + urlencode({"next": target}))


class PortalAdminConfig(AdminConfig):
    default_site = "core.admin_site.PortalAdminSite"
