from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultantsConfig(AppConfig):
    name = "consultants"
    verbose_name = _("Consultants et formateurs")

    def ready(self) -> None:
        from core.registry import register_home_panel, register_nav
        from core.roles import (
            EXPERT_ROLES,
            SEE_ALL_ROLES,
            STAFF_READER_ROLES,
            STAFF_ROLES,
            TRAINING_READER_ROLES,
            Role,
        )
        from enrolment.documents import CLOSING_REPORT_SECTIONS

        from . import reminders
        from .closing_report import mission_report_section
        from .panels import collective_results_context
        from .selectors import (
            expert_for_user,
            missions_for_consultant,
            pending_proposals_for,
            queue_length,
        )

        register_nav(
            label=_("Mes missions"),
            url_name="consultants:missions",
            roles={Role.CONSULTANT},
            order=20,
        )
        register_nav(
            label=_("Consultants"),
            url_name="consultants:pool",
            roles=SEE_ALL_ROLES,
            order=30,
        )
        register_nav(
            label=_("Désignations"),
            url_name="consultants:queue",
            roles=STAFF_ROLES,
            order=35,
        )
        register_nav(
            label=_("Missions"),
            url_name="consultants:missions",
            roles=STAFF_READER_ROLES | {Role.OWNER},
            order=40,
        )
        register_nav(
            label=_("Formation des pilotes"),
            url_name="consultants:training_home",
            roles=TRAINING_READER_ROLES,
            order=50,
        )

        register_home_panel(
            template="consultants/panels/expert.html",
            roles=EXPERT_ROLES,
            context=lambda user: {
                "expert": expert_for_user(user=user),
                "missions": missions_for_consultant(user=user),
                "proposals": pending_proposals_for(user=user),
            },
            order=10,
        )
        register_home_panel(
            template="consultants/panels/director.html",
            roles=SEE_ALL_ROLES,
            context=lambda user: {"queue_length": queue_length(user=user)},
            order=20,
        )
        register_home_panel(
            template="consultants/panels/trainer_sessions.html",
            roles={Role.TRAINER},
            context=lambda user: {"sessions": _upcoming_sessions(user)},
            order=20,
        )
        register_home_panel(
            template="consultants/panels/collective_results.html",
            roles=STAFF_READER_ROLES,
            context=collective_results_context,
            order=60,
        )
        if mission_report_section not in CLOSING_REPORT_SECTIONS:
            CLOSING_REPORT_SECTIONS.append(mission_report_section)
        reminders.register()
        from . import personal_data

        personal_data.register()


def _upcoming_sessions(user):
    from .training import sessions_for_user

    return list(sessions_for_user(user=user)[:8])
