"""The pool of consultants and trainers, and the missions they carry out."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class ExpertQuerySet(ScopedQuerySet):
    def for_consultant(self, user):
        return self.filter(user=user)

    def for_trainer(self, user):
        return self.filter(user=user)

    def for_relay_staff(self, user):
        return self.filter(kind=Expert.Kind.CONSULTANT)

    def consultants(self):
        return self.filter(kind=Expert.Kind.CONSULTANT)

    def trainers(self):
        return self.filter(kind=Expert.Kind.TRAINER)


class Expert(models.Model):
    """A consultant or a trainer of the programme's pool."""

    class Kind(models.TextChoices):
        CONSULTANT = "consultant", _("Consultant")
        TRAINER = "trainer", _("Formateur")

    class Accreditation(models.TextChoices):
        SELECTED = "selected", _("Sélectionné")
        TRAINED = "trained", _("Formé")
        ACTIVE = "active", _("Actif")
        SUSPENDED = "suspended", _("Suspendu")
        LEFT = "left", _("Sorti du dispositif")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, db_index=True)
    firm = models.CharField(_("cabinet"), max_length=200, blank=True)
    specialties = models.ManyToManyField(
        "diagnostics.Theme", verbose_name=_("spécialités"), related_name="experts", blank=True
    )
    departements = models.ManyToManyField(
        "core.Departement",
        verbose_name=_("départements couverts"),
        related_name="experts",
        blank=True,
    )
    capacity = models.PositiveSmallIntegerField(_("missions simultanées maximum"), default=4)
    accreditation = models.CharField(
        _("habilitation"),
        max_length=12,
        choices=Accreditation.choices,
        default=Accreditation.ACTIVE,
        db_index=True,
    )
    selected_on = models.DateField(_("sélectionné le"), null=True, blank=True)
    trained_on = models.DateField(_("formé le"), null=True, blank=True)
    active_since = models.DateField(_("actif depuis"), null=True, blank=True)
    suspended_on = models.DateField(_("suspendu le"), null=True, blank=True)
    left_on = models.DateField(_("sorti le"), null=True, blank=True)
    half_day_rate = models.DecimalField(
        _("tarif par demi-journée HT (EUR)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(half_day_rate__isnull=True)
                | models.Q(half_day_rate__gte=Decimal("0")),
                name="expert_rate_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email


class MissionQuerySet(ScopedQuerySet):
    def for_consultant(self, user):
        return self.filter(consultant__user=user)

    def for_relay_staff(self, user):
        return self.filter(enrolment__company__relay_id=user.relay_id)

    def for_owner(self, user):
        return self.filter(enrolment__company__owner=user)

    def active(self):
        return self.filter(closed_at__isnull=True)


class Mission(models.Model):
    """The consulting mission of one enrolment, once a consultant is assigned."""

    enrolment = models.OneToOneField(
        "enrolment.Enrolment", on_delete=models.PROTECT, related_name="mission"
    )
    consultant = models.ForeignKey(
        Expert,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        related_name="missions",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    planned_end_date = models.DateField(_("fin prévue"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closing_summary = models.TextField(_("synthèse de clôture"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return f"Mission {self.enrolment.company}"
