"""Agreements (conventions): versions, signatures, batch generation.

The tables keep the names they had in `enrolment` (moved with `SeparateDatabaseAndState`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CompanyScopedQuerySet, ScopedQuerySet
from enrolment.models import Enrolment


def _generated_name(prefix: str) -> str:
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


def agreement_upload_to(instance, filename: str) -> str:
    """Stored under a generated name: nothing of the user's input reaches the file system."""
    return _generated_name("conventions")


def signed_copy_upload_to(instance, filename: str) -> str:
    return _generated_name("conventions-signees")


class AgreementQuerySet(CompanyScopedQuerySet):
    company_path = "enrolment__company"
    relay_path = "enrolment__relay_id"  # the enrolment's copy (one join less)

    def for_consultant(self, user):
        return self.filter(enrolment__mission__consultant__user=user)


class Agreement(models.Model):
    """One version of an enrolment's agreement PDF; older versions stay readable."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Émise, en attente de signature")
        SUPERSEDED = "superseded", _("Remplacée par une version plus récente")
        SIGNED = "signed", _("Signée")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("inscription"),
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier PDF"), upload_to=agreement_upload_to, max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64)
    content_hash = models.CharField(
        _("empreinte des données"),
        max_length=64,
        help_text=_("Une nouvelle version n'est créée que si les données rendues changent."),
    )
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    created_at = models.DateTimeField(_("émise le"), default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        db_table = "enrolment_agreement"
        ordering = ["enrolment", "-version"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "version"], name="unique_agreement_version"
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(status="signed"),
                name="one_signed_agreement_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"Convention {self.enrolment.company} v{self.version}"


class AgreementSignatureQuerySet(CompanyScopedQuerySet):
    company_path = "agreement__enrolment__company"
    relay_path = "agreement__enrolment__relay_id"  # the enrolment's copy (one join less)


class AgreementSignature(models.Model):
    """The signature of one agreement version: an electronic acceptance or a scanned copy."""

    class Method(models.TextChoices):
        E_ACCEPTANCE = "e_acceptance", _("Acceptation électronique par le chef d'entreprise")
        SCANNED = "scanned", _("Copie signée déposée par la structure relais")

    agreement = models.OneToOneField(
        Agreement, on_delete=models.PROTECT, related_name="signature", verbose_name=_("convention")
    )
    method = models.CharField(_("mode de signature"), max_length=14, choices=Method.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signée le"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version acceptée"))
    checksum = models.CharField(_("empreinte SHA-256 de la version acceptée"), max_length=64)
    scanned_copy = models.FileField(
        _("copie signée"), upload_to=signed_copy_upload_to, max_length=255, blank=True
    )
    scanned_sha256 = models.CharField(max_length=64, blank=True)

    objects = AgreementSignatureQuerySet.as_manager()

    class Meta:
        db_table = "enrolment_agreementsignature"
        verbose_name = _("signature de convention")
        verbose_name_plural = _("signatures de conventions")

    def __str__(self) -> str:
        return f"{self.agreement} — {self.get_method_display()}"


class AgreementBatchQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(created_by=user)


class AgreementBatch(models.Model):
    """Relay staff asked for the agreements of a selection of enrolments at once."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgreementBatchQuerySet.as_manager()

    class Meta:
        db_table = "enrolment_agreementbatch"
        ordering = ["-created_at"]
        verbose_name = _("génération groupée de conventions")
        verbose_name_plural = _("générations groupées de conventions")

    def __str__(self) -> str:
        return f"Lot {self.pk} du {self.created_at:%d/%m/%Y %H:%M}"


class AgreementBatchItem(models.Model):
    """Progress of one enrolment within a batch (the progress bar reads these rows)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        DONE = "done", _("Générée")
        FAILED = "failed", _("En échec")

    batch = models.ForeignKey(AgreementBatch, on_delete=models.CASCADE, related_name="items")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "enrolment_agreementbatchitem"
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "enrolment"], name="unique_batch_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.enrolment_id} ({self.status})"
