from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectiveConfig(AppConfig):
    name = "collective"
    verbose_name = _("Action collective")

    def ready(self) -> None:
        from consultants.outcomes import register_outcomes_provider
        from core.outbox import register_handler
        from core.registry import register_company_section, register_home_panel, register_nav
        from core.roles import STAFF_READER_ROLES, Role

        from . import (
            followups,
            groups,
            network,
            personal_data,
            reminders,
            satisfaction,
            timeline_labels,
        )
        from .panels import collective_results_context

        # Groups and follow-ups follow the enrolment's life (events of enrolment's actions).
        register_handler("enrolment.validated", groups.on_enrolment_validated, sync=True)
        register_handler("enrolment.closed", groups.on_enrolment_closed, sync=True)
        register_handler("enrolment.withdrawn", groups.on_enrolment_withdrawn, sync=True)
        register_handler("enrolment.closed", followups.on_enrolment_closed, sync=True)
        register_handler("seminar.scheduled", groups.on_seminar_scheduled)
        # The owner's satisfaction questionnaire: created with the closing, e-mailed by a worker.
        register_handler("mission.closed", satisfaction.on_mission_closed, sync=True)
        register_handler("mission.closed", satisfaction.on_mission_closed_send)
        # The consultants' pages show outcome figures computed here (layer above them).
        register_outcomes_provider(satisfaction.consultant_outcomes)
        reminders.register()
        personal_data.register()
        timeline_labels.register()  # the history in words (core.timeline_text)
        groups.register_dossier()  # the group and its next seminar in the company's dossier

        register_nav(
            label=_("Groupes"), url_name="collective:group_list", roles=STAFF_READER_ROLES, order=40
        )
        register_nav(
            label=_("Suivis"),
            url_name="collective:followup_list",
            roles=STAFF_READER_ROLES,
            order=45,
        )
        register_home_panel(
            template="collective/panels/collective_results.html",
            roles=STAFF_READER_ROLES,
            context=collective_results_context,
            order=60,
        )
        # The group's network: the owner's groups and what they agreed to show (collective.network)
        register_home_panel(
            template="collective/panels/owner_network.html",
            roles={Role.OWNER},
            context=lambda user: {"consents": network.consents_of_owner(user=user)},
            order=20,
        )
        register_company_section(
            template="collective/groups/_company_seminars.html",
            context=lambda company: {"seminar_rows": groups.company_seminars(company=company)},
            order=10,
        )
