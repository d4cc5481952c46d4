from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = _("Autodiagnostic")

    def ready(self) -> None:
        from core.registry import register_home_panel
        from core.roles import Role

        from . import personal_data
        from .models import Diagnosis

        personal_data.register()

        def owner_diagnoses(user):
            return {
                "diagnoses": list(
                    Diagnosis.objects.visible_to(user)
                    .select_related("company", "questionnaire")
                    .order_by("-started_at")[:5]
                )
            }

        register_home_panel(
            template="diagnostics/panels/owner.html",
            roles={Role.OWNER},
            context=owner_diagnoses,
            order=20,
        )
