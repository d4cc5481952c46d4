from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financement")

    def ready(self) -> None:
        from . import timeline_labels

        timeline_labels.register()  # the history in words (core.timeline_text)
        from . import staff_dossier

        staff_dossier.register()  # its section of the relay's dossier page (enrolment)
        from core.outbox import register_handler
        from core.registry import register_nav
        from core.roles import STAFF_READER_ROLES

        from . import reminders
        from .ledger import HANDLERS

        # Ledger postings are database-only: they run in the publisher's transaction.
        for kind, handler in HANDLERS.items():
            register_handler(kind, handler, sync=True)

        register_nav(
            label=_("Comptabilité"),
            url_name="funding:ledger_index",
            roles=STAFF_READER_ROLES,
            order=30,
        )
        reminders.register()
