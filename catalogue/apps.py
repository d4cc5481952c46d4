from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue des offres")

    def ready(self) -> None:
        from core.reference import forget_when_changed

        from .models import DeMinimisRegulation

        forget_when_changed(DeMinimisRegulation, "catalogue.deminimis_regulations")
