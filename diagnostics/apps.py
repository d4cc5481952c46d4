from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = _("Autodiagnostic")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()

        # The owner's diagnoses are listed in the company's dossier (the owner's home).
