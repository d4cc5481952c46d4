"""The programme's catalogue: offers, their dated tariffs (with history) and VAT rates.

The tables keep the names they had in `funding` (moved with `SeparateDatabaseAndState`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory


class Funder(models.TextChoices):
    """Who pays a share of a company's consulting (a tariff's shares, the ledger's lines)."""

    COMPANY = "company", _("Entreprises")
    REGION = "region", _("Région")
    STATE = "state", _("État")
    FSE = "fse", _("FSE")


class Offer(models.Model):
    """An offer of the programme (Performance ciblée, approfondie, historical PPJ)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("nom"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_open = models.BooleanField(_("ouverte aux inscriptions"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "funding_offer"
        ordering = ["position", "name"]
        verbose_name = _("offre")
        verbose_name_plural = _("offres")

    def __str__(self) -> str:
        return self.name


class TariffQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class Tariff(models.Model):
    """What an offer costs and who pays, valid over a period."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="tariffs")
    valid_from = models.DateField(_("valable du"))
    valid_to = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"))
    half_days = models.PositiveSmallIntegerField(
        _("demi-journées de conseil"),
        null=True,
        blank=True,
        help_text=_("Vide si inconnu (tarif historique)."),
    )
    pilots = models.PositiveSmallIntegerField(
        _("pilotes internes"),
        null=True,
        blank=True,
        help_text=_("Vide si inconnu (tarif historique)."),
    )
    includes_training = models.BooleanField(_("formation qualifiante des pilotes"), default=False)
    company_contribution_ht = models.DecimalField(
        _("participation de l'entreprise HT"), max_digits=10, decimal_places=2
    )
    regional_aid_ht = models.DecimalField(
        _("aide de la Région HT"), max_digits=10, decimal_places=2
    )
    state_aid_ht = models.DecimalField(
        _("aide de l'État HT"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    fse_aid_ht = models.DecimalField(
        _("aide du FSE HT"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    regional_advance_percent = models.DecimalField(
        _("avance de la Région à la signature (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
    )
    consultant_half_day_rate = models.DecimalField(
        _("tarif consultant par demi-journée HT (par défaut)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )

    objects = TariffQuerySet.as_manager()
    # Tariffs are edited in the admin (its history); the history table kept its name too.
    history = AuditedHistory(label=_("Tarif"), table_name="funding_historicaltariff")

    class Meta:
        db_table = "funding_tariff"
        ordering = ["offer", "-valid_from"]
        verbose_name = _("tarif")
        verbose_name_plural = _("tarifs")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tariff_valid_period",
            ),
            models.CheckConstraint(
                condition=Q(company_contribution_ht__gte=0)
                & Q(regional_aid_ht__gte=0)
                & Q(state_aid_ht__gte=0)
                & Q(fse_aid_ht__gte=0),
                name="tariff_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} — {self.valid_from:%d/%m/%Y}"

    @property
    def total_cost_ht(self) -> Decimal:
        return (
            self.company_contribution_ht
            + self.regional_aid_ht
            + self.state_aid_ht
            + self.fse_aid_ht
        )


class VatRateQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class VatRate(models.Model):
    """The VAT rate applied on invoices to companies, over a period."""

    rate = models.DecimalField(_("taux (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("valable du"))
    valid_to = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    objects = VatRateQuerySet.as_manager()

    class Meta:
        db_table = "funding_vatrate"
        ordering = ["-valid_from"]
        verbose_name = _("taux de TVA")
        verbose_name_plural = _("taux de TVA")

    def __str__(self) -> str:
        return f"{self.rate} % depuis le {self.valid_from:%d/%m/%Y}"


class DeMinimisWindow(models.TextChoices):
    """How a de minimis regulation counts the period over which its ceiling applies."""

    FISCAL_YEARS = "fiscal_years", _("l'exercice fiscal en cours et les exercices précédents")
    ROLLING_YEARS = "rolling_years", _("toute période glissante")


class DeMinimisRegulationQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class DeMinimisRegulation(models.Model):
    """An EU de minimis regulation: its ceiling per single undertaking and how it counts the
    period, in force over dates (the regulation in force on the grant date applies)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("règlement"), max_length=120)
    ceiling = models.DecimalField(_("plafond (EUR)"), max_digits=12, decimal_places=2)
    window = models.CharField(_("période"), max_length=20, choices=DeMinimisWindow.choices)
    years = models.PositiveSmallIntegerField(_("durée de la période (ans)"), default=3)
    valid_from = models.DateField(_("applicable du"))
    valid_to = models.DateField(_("applicable jusqu'au"), null=True, blank=True)

    objects = DeMinimisRegulationQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("règlement de minimis")
        verbose_name_plural = _("règlements de minimis")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="deminimis_valid_period",
            ),
            models.CheckConstraint(condition=Q(ceiling__gt=0), name="deminimis_ceiling_positive"),
        ]

    def __str__(self) -> str:
        return self.name
