from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultantsConfig(AppConfig):
    name = "consultants"
    verbose_name = _("Consultants et formateurs")

    def ready(self) -> None:
        from core.registry import register_home_panel
        from core.roles import Role

        from .selectors import expert_for_user, missions_for_consultant

        register_home_panel(
            template="consultants/panels/expert.html",
            roles={Role.CONSULTANT, Role.TRAINER},
            context=lambda user: {
                "expert": expert_for_user(user=user),
                "missions": missions_for_consultant(user=user),
            },
            order=10,
        )

        # Pilot training and the collective results panel (issue 7).
        from core.registry import register_nav

        from .panels import collective_results_context

        register_nav(
            label=_("Formation des pilotes"),
            url_name="consultants:training_home",
            roles={Role.TRAINER, Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            order=50,
        )
        register_home_panel(
            template="consultants/panels/collective_results.html",
            roles={Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN},
            context=collective_results_context,
            order=60,
        )
        register_home_panel(
            template="consultants/panels/trainer_sessions.html",
            roles={Role.TRAINER},
            context=lambda user: {"sessions": _upcoming_sessions(user)},
            order=20,
        )


def _upcoming_sessions(user):
    from .training import sessions_for_user

    return list(sessions_for_user(user=user)[:8])
