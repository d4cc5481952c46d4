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
