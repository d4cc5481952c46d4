from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financement")

    def ready(self) -> None:
        from core.outbox import register_handler
        from core.registry import register_home_panel, register_nav, register_role_home
        from core.roles import STAFF_READER_ROLES, Role

        from .ledger import HANDLERS
        from .selectors import dashboard_panel_context

        # Ledger postings are database-only: they run in the publisher's transaction.
        for kind, handler in HANDLERS.items():
            register_handler(kind, handler, sync=True)

        register_nav(
            label=_("Tableau de bord"),
            url_name="funding:dashboard",
            roles=STAFF_READER_ROLES,
            order=20,
        )
        register_nav(
            label=_("Comptabilité"),
            url_name="funding:ledger_index",
            roles=STAFF_READER_ROLES,
            order=30,
        )
        register_role_home(role=Role.REGION, url_name="funding:dashboard")
        register_home_panel(
            template="funding/panels/dashboard.html",
            roles={Role.RELAY_STAFF},
            context=dashboard_panel_context,
            order=5,
        )
        from . import reminders as funding_reminders

        funding_reminders.register()
