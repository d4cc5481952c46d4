from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from core.outbox import register_handler
        from core.registry import register_home_panel, register_nav
        from core.roles import Role

        from . import personal_data, reminders
        from .selectors import enrolment_counts_by_state, enrolments_for_owner
        from .services import on_diagnosis_submitted

        staff_and_watchers = {Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN}

        # Events: the diagnosis moves the journey on (agreements, groups and follow-ups react
        # to the enrolment's events from their own apps).
        register_handler("diagnosis.submitted", on_diagnosis_submitted, sync=True)
        reminders.register()
        personal_data.register()

        register_nav(
            label=_("Mon entreprise"), url_name="enrolment:start", roles={Role.OWNER}, order=10
        )
        register_nav(
            label=_("Inscriptions"),
            url_name="enrolment:staff_list",
            roles=staff_and_watchers,
            order=20,
        )
        register_home_panel(
            template="enrolment/panels/owner.html",
            roles={Role.OWNER},
            context=lambda user: {"enrolments": enrolments_for_owner(user=user)},
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/states.html",
            roles=staff_and_watchers,
            context=lambda user: {"state_counts": enrolment_counts_by_state(user=user)},
            order=10,
        )
