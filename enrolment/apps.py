from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from . import timeline_labels

        timeline_labels.register()  # the history in words (core.timeline_text)
        from core.outbox import register_handler
        from core.registry import register_home_panel, register_nav
        from core.roles import Role

        from . import agreements, followups, groups, reminders
        from .selectors import enrolment_counts_by_state
        from .services import on_diagnosis_submitted

        staff_and_watchers = {Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN}

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
            roles=staff_and_watchers,
            order=20,
        )
        register_nav(
            label=_("Conventions"),
            url_name="enrolment:agreement_batch_new",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN},
            order=40,
        )
        register_nav(
            label=_("Groupes"), url_name="enrolment:group_list", roles=staff_and_watchers, order=40
        )
        register_nav(
            label=_("Suivis"),
            url_name="enrolment:followup_list",
            roles=staff_and_watchers,
            order=45,
        )

        # The owner's home is the company's dossier (enrolment/journey.py).
        from diagnostics.journey import register_diagnosis_journey

        from . import journey, notifications

        register_home_panel(
            template="enrolment/panels/owner.html",
            roles={Role.OWNER},
            context=journey.owner_home_context,
            order=10,
        )
        register_diagnosis_journey(journey.diagnosis_journey_for)
        register_handler("enrolment.offer_chosen", notifications.on_request_sent)
        groups.register_dossier()
        register_home_panel(
            template="enrolment/panels/states.html",
            roles=staff_and_watchers,
            context=lambda user: {"state_counts": enrolment_counts_by_state(user=user)},
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/agreements.html",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN},  # the owner's: in the dossier
            context=lambda user: {
                "agreements": agreements.agreements_awaiting_signature(user=user)
            },
            order=20,
        )
