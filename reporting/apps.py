from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Pilotage du programme")

    def ready(self) -> None:
        from core.registry import register_home_panel, register_nav, register_role_home
        from core.roles import STAFF_READER_ROLES, Role

        from .selectors import dashboard_panel_context

        register_nav(
            label=_("Tableau de bord"),
            url_name="reporting:dashboard",
            roles=STAFF_READER_ROLES,
            order=20,
        )
        register_role_home(role=Role.REGION, url_name="reporting:dashboard")
        register_home_panel(
            template="reporting/panels/dashboard.html",
            roles={Role.RELAY_STAFF},
            context=dashboard_panel_context,
            order=5,
        )
