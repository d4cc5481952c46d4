"""What the Region watches: the programme's target, its milestones and budget envelope.

The tables keep the names they had in `funding` (moved with `SeparateDatabaseAndState`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeTarget(models.Model):
    """The programme's enrolment target and budget envelope (data, not constants)."""

    name = models.CharField(_("programme"), max_length=100, unique=True)
    target_enrolments = models.PositiveIntegerField(_("objectif d'entreprises"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("échéance"))
    budget_envelope = models.DecimalField(
        _("enveloppe budgétaire de la Région (EUR)"), max_digits=14, decimal_places=2
    )

    class Meta:
        db_table = "funding_programmetarget"
        verbose_name = _("objectif du programme")
        verbose_name_plural = _("objectifs du programme")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated milestone: so many companies enrolled by a date (270 by end of April)."""

    target = models.ForeignKey(ProgrammeTarget, on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField(_("date"))
    enrolments = models.PositiveIntegerField(_("entreprises inscrites attendues"))
    label = models.CharField(_("libellé"), max_length=120, blank=True)

    class Meta:
        db_table = "funding_milestone"
        ordering = ["due_on"]
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")

    def __str__(self) -> str:
        return self.label or f"{self.enrolments} au {self.due_on:%d/%m/%Y}"
