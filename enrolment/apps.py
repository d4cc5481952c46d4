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

        # Collective action and follow-up (issue 7): groups follow the enrolment's life.
        from core.outbox import register_handler
        from core.registry import register_nav

        from . import followups, groups

        register_handler("enrolment.validated", groups.on_enrolment_validated, sync=True)
        register_handler("enrolment.closed", groups.on_enrolment_closed, sync=True)
        register_handler("enrolment.withdrawn", groups.on_enrolment_withdrawn, sync=True)
        register_handler("enrolment.closed", followups.on_enrolment_closed, sync=True)
        register_handler("seminar.scheduled", groups.on_seminar_scheduled)
        register_nav(
            label=_("Groupes"),
            url_name="enrolment:group_list",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            order=40,
        )
        register_nav(
            label=_("Suivis"),
            url_name="enrolment:followup_list",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            order=45,
        )
