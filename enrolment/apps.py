from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from core.outbox import register_handler
        from core.registry import register_home_panel, register_nav
        from core.roles import STAFF_READER_ROLES, STAFF_ROLES, Role

        from . import agreements, followups, groups, reminders
        from .selectors import enrolment_counts_by_state, enrolments_for_owner
        from .services import on_diagnosis_submitted

        # Events: the diagnosis moves the journey on; agreements are rendered from the outbox;
        # groups and follow-ups follow the enrolment's life.
        register_handler("diagnosis.submitted", on_diagnosis_submitted, sync=True)
        agreements.register()
        reminders.register()
        from . import personal_data

        personal_data.register()
        register_handler("enrolment.validated", groups.on_enrolment_validated, sync=True)
        register_handler("enrolment.closed", groups.on_enrolment_closed, sync=True)
        register_handler("enrolment.withdrawn", groups.on_enrolment_withdrawn, sync=True)
        register_handler("enrolment.closed", followups.on_enrolment_closed, sync=True)
        register_handler("seminar.scheduled", groups.on_seminar_scheduled)

        register_nav(
            label=_("Mon entreprise"), url_name="enrolment:start", roles={Role.OWNER}, order=10
        )
        register_nav(
            label=_("Inscriptions"),
            url_name="enrolment:staff_list",
            roles=STAFF_READER_ROLES,
            order=20,
        )
        register_nav(
            label=_("Conventions"),
            url_name="enrolment:agreement_batch_new",
            roles=STAFF_ROLES,
            order=40,
        )
        register_nav(
            label=_("Groupes"), url_name="enrolment:group_list", roles=STAFF_READER_ROLES, order=40
        )
        register_nav(
            label=_("Suivis"),
            url_name="enrolment:followup_list",
            roles=STAFF_READER_ROLES,
            order=45,
        )

        register_home_panel(
            template="enrolment/panels/owner.html",
            roles={Role.OWNER},
            context=lambda user: {"enrolments": enrolments_for_owner(user=user)},
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/states.html",
            roles=STAFF_READER_ROLES,
            context=lambda user: {"state_counts": enrolment_counts_by_state(user=user)},
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/agreements.html",
            roles=STAFF_ROLES | {Role.OWNER},
            context=lambda user: {
                "agreements": agreements.agreements_awaiting_signature(user=user)
            },
            order=20,
        )
