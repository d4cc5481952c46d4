from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Conventions")

    def ready(self) -> None:
        from core.registry import register_home_panel, register_nav
        from core.roles import STAFF_ROLES

        from . import personal_data, reminders, services, timeline_labels

        # Agreements are rendered from the outbox when the enrolment reaches their states.
        services.register()
        from . import staff_dossier

        staff_dossier.register()  # its section of the relay's dossier page (enrolment)
        reminders.register()
        personal_data.register()
        timeline_labels.register()  # the history in words (core.timeline_text)

        register_nav(
            label=_("Conventions"),
            url_name="agreements:agreement_batch_new",
            roles=STAFF_ROLES,
            order=40,
        )
        register_home_panel(
            template="agreements/panels/agreements.html",
            roles=STAFF_ROLES,  # the owner's: in the dossier
            context=lambda user: {"agreements": services.agreements_awaiting_signature(user=user)},
            order=20,
        )
