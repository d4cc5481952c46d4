"""The admin app with the portal's site (core.admin_site), named without importing it: the
site's module imports the auth models, which only load once the apps are ready."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "core.admin_site.PortalAdminSite"
