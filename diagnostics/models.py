"""The self-diagnosis. `Theme` is the taxonomy shared with the consultants' specialties."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A theme the method acts on (stocks, maintenance, …): diagnosis axis and specialty."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self) -> str:
        return self.name
