from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from .registry import register_home_panel, register_nav
        from .roles import Role

        register_nav(label=_("Accueil"), url_name="core:home", roles=set(Role), order=0)
        register_nav(
            label=_("Journal des modifications"),
            url_name="core:audit_log",
            roles={Role.DIRECTOR, Role.ADMIN},
            order=85,
        )
        register_home_panel(template="core/panels/admin.html", roles={Role.ADMIN}, order=90)
