from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API d'intégration")

    def ready(self) -> None:
        from core.registry import register_nav
        from core.roles import Role

        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from .personal_data import register as register_personal_data

        register_personal_data()

        register_nav(
            label=_("Jetons d'API"),
            url_name="api_tokens:list",
            roles=set(Role),
            order=95,
            menu="account",
        )
