"""Companies and their enrolments in the programme, up to a running mission."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.roles import STAFF_ROLES, Role
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

#: The explicit transition table: (from, to) -> roles allowed to make it.
#: `system` marks transitions the portal makes itself (eligibility check, first half-day).
SYSTEM = "system"
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({Role.OWNER, Role.ADMIN}),
    (S.SUBMITTED, S.ELIGIBLE): frozenset({SYSTEM}) | STAFF_ROLES,
    (S.SUBMITTED, S.INELIGIBLE): frozenset({SYSTEM}) | STAFF_ROLES,
    (S.INELIGIBLE, S.ELIGIBLE): STAFF_ROLES,
    (S.ELIGIBLE, S.DIAGNOSED): frozenset({Role.OWNER, SYSTEM, Role.ADMIN}),
    (S.DIAGNOSED, S.OFFER_CHOSEN): frozenset({Role.OWNER, Role.ADMIN}),
    (S.OFFER_CHOSEN, S.VALIDATED): STAFF_ROLES,
    (S.OFFER_CHOSEN, S.DIAGNOSED): STAFF_ROLES,  # sent back with a comment
    (S.VALIDATED, S.CONSULTANT_ASSIGNED): frozenset({SYSTEM}) | STAFF_ROLES,
    # declined / reassigned
    (S.CONSULTANT_ASSIGNED, S.VALIDATED): frozenset({SYSTEM}) | STAFF_ROLES,
    (S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED): frozenset({Role.OWNER, SYSTEM}) | STAFF_ROLES,
    (S.AGREEMENT_SIGNED, S.IN_PROGRESS): frozenset({SYSTEM}) | STAFF_ROLES,
    (S.IN_PROGRESS, S.CLOSED): STAFF_ROLES,
}
for _state in OPEN_STATES:
    TRANSITIONS[(_state, S.WITHDRAWN)] = frozenset({Role.OWNER}) | STAFF_ROLES


class EnrolmentQuerySet(CompanyScopedQuerySet):
    # What a consultant sees (their missions') is registered by consultants (core.scoping).

    def open(self):
        return self.filter(state__in=OPEN_STATES)


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

    objects = EnrolmentQuerySet.as_manager()
    history = AuditedHistory(
        label=_("Inscription"),
        url=lambda h: reverse("enrolment:staff_detail", args=[h.id]),
        describe=lambda e: e.company.name,
        excluded_fields=["updated_at", "version", "state_changed_at"],
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

    def __str__(self) -> str:
        return f"{self.company} — {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def allowed_transitions(self, role: str) -> list[str]:
        return [
            to for (frm, to), roles in TRANSITIONS.items() if frm == self.state and role in roles
        ]


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
