from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultantsConfig(AppConfig):
    name = "consultants"
    verbose_name = _("Consultants et formateurs")

    def ready(self) -> None:
        from . import timeline_labels

        timeline_labels.register()  # the history in words (core.timeline_text)
        from . import dossier

        dossier.register()  # the mission's block in the company's dossier
        from . import staff_dossier

        staff_dossier.register()  # its section of the relay's dossier page (enrolment)
        from core.registry import register_company_section, register_home_panel, register_nav
        from core.roles import (
            EXPERT_ROLES,
            SEE_ALL_ROLES,
            STAFF_READER_ROLES,
            STAFF_ROLES,
            TRAINING_READER_ROLES,
            Role,
        )
        from core.scoping import register_scope

        from . import personal_data, reminders, services
        from .scoping import SCOPES
        from .selectors import (
            expert_for_user,
            missions_for_consultant,
            pending_proposals_for,
            queue_length,
        )
        from .training import company_training, sessions_for_user

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
            context=lambda user: {"sessions": list(sessions_for_user(user=user)[:8])},
            order=20,
        )
        register_company_section(
            template="consultants/training/_company_training.html",
            context=lambda company: {"pilots": company_training(company=company)},
            order=20,
        )
        reminders.register()
        services.register_facts()  # what the enrolment's workflow actions ask (enrolment.actions)
        personal_data.register()
        for model, scope in SCOPES.items():  # a consultant sees what their missions touch
            register_scope(model=model, role=Role.CONSULTANT, scope=scope)
