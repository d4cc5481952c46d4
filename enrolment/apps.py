from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from core.registry import register_home_panel
        from core.roles import Role

        from .selectors import enrolment_counts_by_state, enrolments_for_owner

        register_home_panel(
            template="enrolment/panels/owner.html",
            roles={Role.OWNER},
            context=lambda user: {"enrolments": enrolments_for_owner(user=user)},
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/states.html",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            context=lambda user: {"state_counts": enrolment_counts_by_state(user=user)},
            order=10,
        )
        from core.outbox import register_handler
        from core.registry import register_nav

        from .services import on_diagnosis_submitted

        register_handler("diagnosis.submitted", on_diagnosis_submitted, sync=True)
        register_nav(
            label=_("Inscriptions"),
            url_name="enrolment:staff_list",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            order=20,
        )
        register_nav(
            label=_("Mon entreprise"), url_name="enrolment:start", roles={Role.OWNER}, order=10
        )

        # Issue 6: agreements rendered by the outbox relay, reminders about enrolments.
        from core.registry import register_nav

        from . import agreements, reminders

        agreements.register()
        reminders.register()
        register_home_panel(
            template="enrolment/panels/agreements.html",
            roles={Role.OWNER, Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN},
            context=lambda user: {
                "agreements": agreements.agreements_awaiting_signature(user=user)
            },
            order=20,
        )
        register_nav(
            label=_("Conventions"),
            url_name="enrolment:agreement_batch_new",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN},
            order=40,
        )
