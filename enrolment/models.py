"""Companies and their enrolments in the programme, up to a running mission."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.roles import STAFF_ROLES
from core.scoping import CompanyScopedQuerySet


class CompanyQuerySet(CompanyScopedQuerySet):
    company_path = ""


class Company(models.Model):
    """An establishment (identified by its SIRET) that enrols in the programme."""

    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    name = models.CharField(_("raison sociale"), max_length=255)
    naf_code = models.CharField(_("code NAF/APE"), max_length=6, blank=True)
    headcount = models.PositiveIntegerField(_("effectif"), null=True, blank=True)
    turnover = models.DecimalField(
        _("chiffre d'affaires (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    balance_sheet_total = models.DecimalField(
        _("total du bilan (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    headcount_band = models.CharField(
        _("tranche d'effectif (répertoire)"), max_length=60, blank=True
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    departement = models.ForeignKey(
        "core.Departement",
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
    )
    relay = models.ForeignKey(
        "core.Relay",
        verbose_name=_("structure relais"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chef d'entreprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")

    def __str__(self) -> str:
        if self.name:
            return self.name
        return str(_("Établissement SIRET %(siret)s (raison sociale à compléter)")) % {
            "siret": self.siret
        }

    @property
    def siren(self) -> str:
        return self.siret[:9]


class EnrolmentState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    ELIGIBLE = "eligible", _("Éligible")
    INELIGIBLE = "ineligible", _("Non éligible")
    DIAGNOSED = "diagnosed", _("Autodiagnostic terminé")
    OFFER_CHOSEN = "offer_chosen", _("Offre choisie")
    VALIDATED = "validated", _("Validée par le relais")
    CONSULTANT_ASSIGNED = "consultant_assigned", _("Consultant désigné")
    AGREEMENT_SIGNED = "agreement_signed", _("Convention signée")
    IN_PROGRESS = "in_progress", _("Mission en cours")
    CLOSED = "closed", _("Clôturée")
    WITHDRAWN = "withdrawn", _("Abandon")


S = EnrolmentState
#: Terminal states; every other state is "open" (one open enrolment per company).
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})
OPEN_STATES = frozenset(set(S) - FINAL_STATES)

#: `by=None` in a workflow action: the portal acts itself (eligibility check, first half-day).
SYSTEM = "system"
#: The staff who act on enrolments (the Region reads only).
STAFF = STAFF_ROLES  # who acts on an enrolment for the relay (core.roles)

_state_writer: ContextVar[bool] = ContextVar("enrolment_state_writer", default=False)


@contextmanager
def state_writer():
    """The one door to `Enrolment.state`, opened by `enrolment.actions` only.

    Outside it, saving an enrolment whose state changed, or `update(state=...)`, raises:
    every change of state is a named workflow action with its guard.
    """
    token = _state_writer.set(True)
    try:
        yield
    finally:
        _state_writer.reset(token)


class StateChangeOutsideAction(RuntimeError):
    """A change of `Enrolment.state` that did not go through `enrolment.actions`."""


def _refuse_state_write() -> None:
    if not _state_writer.get():
        raise StateChangeOutsideAction(
            "Enrolment.state changes only through a workflow action (enrolment.actions)."
        )


class EnrolmentQuerySet(CompanyScopedQuerySet):
    # What a consultant sees (their missions') is registered by consultants (core.scoping).
    relay_path = "relay_id"  # the company's relay, copied by the database (`Enrolment.relay`)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def update(self, **kwargs):
        if "state" in kwargs:
            _refuse_state_write()
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "state" in fields:
            _refuse_state_write()
        return super().bulk_update(objs, fields, *args, **kwargs)


class Enrolment(models.Model):
    """One company's passage through the programme, from request to closing."""

    company = models.ForeignKey(
        Company, verbose_name=_("entreprise"), on_delete=models.PROTECT, related_name="enrolments"
    )
    state = models.CharField(
        _("état"), max_length=24, choices=EnrolmentState.choices, default=S.DRAFT, db_index=True
    )
    offer = models.ForeignKey(
        "catalogue.Offer",
        verbose_name=_("offre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    tariff = models.ForeignKey(
        "catalogue.Tariff",
        verbose_name=_("tarif appliqué"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        help_text=_("Le tarif en vigueur le jour du choix de l'offre ; conservé ensuite."),
    )
    vat_rate = models.DecimalField(
        _("taux de TVA appliqué (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Le taux en vigueur le jour de la validation par le relais ; conservé ensuite "
            "(convention, comptabilité)."
        ),
    )
    problem_theme = models.ForeignKey(
        "diagnostics.Theme",
        verbose_name=_("problème à traiter (ciblée)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    difficulty = models.TextField(_("difficulté exprimée par l'entreprise"), blank=True)
    eligibility = models.JSONField(_("résultat de l'éligibilité"), default=list, blank=True)
    eligibility_override = models.TextField(_("justification de la dérogation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("motif de l'abandon"), blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, help_text="Incremented on every change: detects stale forms (two tabs)."
    )

    #: The company's relay, copied by the database (triggers of migration 0015: on every write
    #: of the enrolment, and when the company changes relay); code never sets it. A relay's
    #: list reads its own index instead of probing the company of every enrolment of the Region.
    relay = models.ForeignKey(
        "core.Relay",
        verbose_name=_("structure relais"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EnrolmentQuerySet.as_manager()
    history = AuditedHistory(
        label=_("Inscription"),
        url=lambda h: reverse("enrolment:staff_detail", args=[h.id]),
        describe=lambda e: e.company.name,
        excluded_fields=["updated_at", "version", "state_changed_at", "relay"],
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=~models.Q(state__in=["closed", "withdrawn"]),
                name="one_open_enrolment_per_company",
                violation_error_message=_(
                    "Une inscription est déjà en cours pour cet établissement."
                ),
            )
        ]
        indexes = [
            # the de minimis register: granted aids (signed agreements) in signature order; the
            # tariff is carried so that its counts per tariff read the index alone (no table)
            models.Index(
                fields=["signed_at", "id"],
                include=["tariff"],
                condition=models.Q(signed_at__isnull=False),
                name="enrolment_signed_order",
            ),
            # the director's queue: validated enrolments, longest waiting first
            models.Index(
                Coalesce("validated_at", "state_changed_at"),
                "id",
                condition=models.Q(state="validated"),
                name="enrolment_waiting_order",
            ),
            # a relay's list, newest first (`relay` is the company's, copied)
            models.Index(fields=["relay", "-created_at", "-id"], name="enrolment_relay_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.get_state_display()}"

    def save(self, *args, **kwargs):
        """Refuse a change of state made outside the workflow actions (`state_writer`)."""
        fields = kwargs.get("update_fields")
        saved = S.DRAFT if self._state.adding else getattr(self, "_saved_state", self.state)
        if (fields is None or "state" in fields) and saved is not None and self.state != saved:
            _refuse_state_write()
        super().save(*args, **kwargs)
        self._saved_state = self.state

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_state = instance.__dict__.get("state")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._saved_state = self.__dict__.get("state")


class GrantedAidTally(models.Model):
    """How many aids were granted per tariff (enrolments with a signed agreement), kept by the
    database itself (triggers of migration 0016 on every insert, update and deletion of an
    enrolment), so that the de minimis register of the whole programme does not count 70,000
    signed enrolments at each page. Never written by code."""

    tariff = models.OneToOneField(
        "catalogue.Tariff", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    granted = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("décompte des aides accordées")
        verbose_name_plural = _("décomptes des aides accordées")

    def __str__(self) -> str:
        return f"{self.tariff_id} : {self.granted}"


class Pilot(models.Model):
    """An employee who supervises the corrective actions (one for ciblée, two for approfondie)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pilots")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    job_title = models.CharField(_("fonction"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    history = AuditedHistory(
        label=_("Pilote interne"),
        url=lambda h: reverse("enrolment:staff_detail", args=[h.enrolment_id]),
    )

    class Meta:
        ordering = ["enrolment", "position"]
        verbose_name = _("pilote interne")
        verbose_name_plural = _("pilotes internes")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "position"], name="unique_pilot_position")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ExportJob(models.Model):
    """A CSV export of enrolments run in the background, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("en échec")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export d'inscriptions")
        verbose_name_plural = _("exports d'inscriptions")

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class DeMinimisDeclaration(models.Model):
    """One version of the owner's declaration of the de minimis aid the single undertaking
    (the company and the enterprises it controls or is controlled by) already received.

    Never edited in place: the owner's new answer or a relay's correction (with its reason) is
    a new version; the highest version is the one in force, the others are its history.
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="deminimis_declarations"
    )
    version = models.PositiveIntegerField(_("version"))
    enrolment_version = models.PositiveIntegerField(
        _("version de l'inscription"), help_text=_("La version de l'inscription déclarée.")
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déclarée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("déclarée le"), default=timezone.now)
    is_correction = models.BooleanField(_("correction par la structure relais"), default=False)
    reason = models.TextField(_("motif de la correction"), blank=True)

    class Meta:
        ordering = ["enrolment", "-version"]
        verbose_name = _("déclaration d'aides de minimis")
        verbose_name_plural = _("déclarations d'aides de minimis")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "version"], name="unique_deminimis_declaration_version"
            ),
            models.CheckConstraint(
                condition=models.Q(is_correction=False) | ~models.Q(reason=""),
                name="deminimis_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — de minimis v{self.version}"


class DeclaredAid(models.Model):
    """One de minimis aid received by an enterprise of the single undertaking."""

    declaration = models.ForeignKey(
        DeMinimisDeclaration, on_delete=models.CASCADE, related_name="aids"
    )
    position = models.PositiveSmallIntegerField(default=1)
    beneficiary = models.CharField(_("entreprise bénéficiaire"), max_length=255)
    granting_body = models.CharField(_("organisme qui a accordé l'aide"), max_length=255)
    granted_on = models.DateField(_("date d'octroi"))
    amount = models.DecimalField(_("montant (EUR)"), max_digits=12, decimal_places=2)
    regulation = models.ForeignKey(
        "catalogue.DeMinimisRegulation",
        verbose_name=_("règlement"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["declaration", "position"]
        verbose_name = _("aide de minimis déclarée")
        verbose_name_plural = _("aides de minimis déclarées")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="declared_aid_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.granting_body} {self.granted_on:%d/%m/%Y}"


def message_attachment_upload_to(instance, filename: str) -> str:
    """Stored under a generated name: nothing of the user's input reaches the file system."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.attachment_type, "bin"
    )
    return f"messages/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class DossierMessageQuerySet(CompanyScopedQuerySet):
    """The owner sees their dossiers' messages, relay staff their relay's; consultants none."""

    company_path = "enrolment__company"
    relay_path = "enrolment__relay_id"  # the enrolment's copy (one join less)

    def unread_by(self, side: str):
        """Messages written by the other side that `side` has not read yet."""
        return self.filter(read_at__isnull=True).exclude(side=side)


class DossierMessage(models.Model):
    """One message of the thread between the relay and the company on an enrolment."""

    class Side(models.TextChoices):
        COMPANY = "company", _("Entreprise")
        RELAY = "relay", _("Structure relais")

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        SEND_BACK = "send_back", _("Demande renvoyée pour correction")

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    side = models.CharField(_("côté"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices, default=Kind.MESSAGE)
    text = models.TextField(_("message"))
    attachment = models.FileField(
        _("pièce jointe"), upload_to=message_attachment_upload_to, max_length=255, blank=True
    )
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=120, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    #: when the other side first opened the thread after it was sent
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    #: when the other side was told by e-mail (once per message: the outbox handler checks it)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = DossierMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message du dossier")
        verbose_name_plural = _("messages du dossier")
        indexes = [models.Index(fields=["enrolment", "side", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_side_display()} — {self.created_at:%d/%m/%Y %H:%M}"
