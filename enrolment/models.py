"""Companies and their enrolments in the programme, up to a running mission."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.roles import STAFF_ROLES, Role
from core.scoping import CompanyScopedQuerySet, ScopedQuerySet


class CompanyQuerySet(CompanyScopedQuerySet):
    company_path = ""

    def for_consultant(self, user):
        return self.filter(enrolments__mission__consultant__user=user).distinct()


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
        return self.name

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
    def for_consultant(self, user):
        return self.filter(mission__consultant__user=user)

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
        "funding.Offer",
        verbose_name=_("offre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    tariff = models.ForeignKey(
        "funding.Tariff",
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


# --- Agreements (conventions): versions, signature, batch generation -------------------------


def _generated_name(prefix: str) -> str:
    import uuid

    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


def agreement_upload_to(instance, filename: str) -> str:
    """Stored under a generated name: nothing of the user's input reaches the file system."""
    return _generated_name("conventions")


def signed_copy_upload_to(instance, filename: str) -> str:
    return _generated_name("conventions-signees")


class AgreementQuerySet(CompanyScopedQuerySet):
    company_path = "enrolment__company"

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
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "enrolment"], name="unique_batch_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.enrolment_id} ({self.status})"


# --- Collective action: territorial groups, seminars, follow-ups (issue 7) -------------------

#: Enrolment states in which a company may belong to a territorial group (validated or later).
GROUP_STATES = frozenset({S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS})


class TerritorialGroupQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(relay_id=user.relay_id)

    def for_owner(self, user):
        return self.filter(memberships__enrolment__company__owner=user).distinct()

    def with_member_count(self):
        return self.annotate(
            active_count=models.Count(
                "memberships", filter=models.Q(memberships__left_at__isnull=True), distinct=True
            )
        )


class TerritorialGroup(models.Model):
    """A relay's group of 4 to 10 companies of one territory; rolling entry and exit."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Pas encore démarré")
        RUNNING = "running", _("En cours")
        FULL = "full", _("Complet")

    relay = models.ForeignKey(
        "core.Relay",
        verbose_name=_("structure relais"),
        on_delete=models.PROTECT,
        related_name="territorial_groups",
    )
    departement = models.ForeignKey(
        "core.Departement",
        verbose_name=_("territoire (département)"),
        on_delete=models.PROTECT,
        related_name="territorial_groups",
    )
    name = models.CharField(_("nom du groupe"), max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TerritorialGroupQuerySet.as_manager()

    class Meta:
        ordering = ["relay__name", "departement_id", "name"]
        verbose_name = _("groupe territorial")
        verbose_name_plural = _("groupes territoriaux")
        constraints = [
            models.UniqueConstraint(
                fields=["relay", "name"],
                name="unique_group_name_per_relay",
                violation_error_message=_("Cette structure relais a déjà un groupe de ce nom."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def status_for(count: int) -> str:
        if count < settings.GROUP_MIN_COMPANIES:
            return TerritorialGroup.Status.NOT_STARTED
        if count >= settings.GROUP_MAX_COMPANIES:
            return TerritorialGroup.Status.FULL
        return TerritorialGroup.Status.RUNNING

    @property
    def status(self) -> str:
        count = getattr(self, "active_count", None)
        if count is None:
            count = self.memberships.filter(left_at__isnull=True).count()
        return self.status_for(count)

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class GroupMembershipQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(group__relay_id=user.relay_id)

    def for_owner(self, user):
        return self.filter(enrolment__company__owner=user)

    def active(self):
        return self.filter(left_at__isnull=True)


class GroupMembership(models.Model):
    """A company's stay in a group (history kept: rows are closed, never deleted)."""

    group = models.ForeignKey(
        TerritorialGroup, on_delete=models.PROTECT, related_name="memberships"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_at = models.DateTimeField(_("entrée le"), default=timezone.now)
    left_at = models.DateTimeField(_("sortie le"), null=True, blank=True)
    left_reason = models.CharField(_("motif de sortie"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("participation à un groupe")
        verbose_name_plural = _("participations aux groupes")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(left_at__isnull=True),
                name="one_active_group_per_enrolment",
                violation_error_message=_("Cette entreprise fait déjà partie d'un groupe."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.company} — {self.group}"


class GroupWaitlistQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(enrolment__company__relay_id=user.relay_id)

    def waiting(self):
        return self.filter(resolved_at__isnull=True)


class GroupWaitlistEntry(models.Model):
    """A validated enrolment waiting for a group: with the portal's proposal, or none (no room)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="group_waitlist_entries"
    )
    proposed_group = models.ForeignKey(
        TerritorialGroup,
        verbose_name=_("groupe proposé"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = GroupWaitlistQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attente d'un groupe")
        verbose_name_plural = _("liste d'attente des groupes")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_waiting_entry_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.company} ({self.proposed_group or _('en attente')})"


class SeminarQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(group__relay_id=user.relay_id)

    def for_owner(self, user):
        return self.filter(group__memberships__enrolment__company__owner=user).distinct()

    def for_consultant(self, user):
        return self.filter(speaker__user=user)

    def for_trainer(self, user):
        return self.filter(speaker__user=user)


class Seminar(models.Model):
    """A collective session of a group, alternating with the individual consulting half-days."""

    group = models.ForeignKey(
        TerritorialGroup,
        verbose_name=_("groupe"),
        on_delete=models.PROTECT,
        related_name="seminars",
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=255)
    theme = models.ForeignKey(
        "diagnostics.Theme",
        verbose_name=_("thème"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(
        _("intitulé"), max_length=200, blank=True, help_text=_("Libre, ou vide si un thème suffit.")
    )
    speaker = models.ForeignKey(
        "consultants.Expert",
        verbose_name=_("intervenant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seminars",
    )
    notes = models.TextField(_("informations pratiques"), blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE (updates).")
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    invitations_sequence = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SeminarQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("séminaire")
        verbose_name_plural = _("séminaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="seminar_ends_after_start",
                violation_error_message=_("La fin doit suivre le début."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def subject(self) -> str:
        return self.title or (self.theme.name if self.theme_id else str(_("Séminaire")))


class SeminarAttendance(models.Model):
    """Whether a member company attended a seminar, recorded by relay staff."""

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="seminar_attendances"
    )
    present = models.BooleanField(_("présente"), default=False)
    attendees = models.CharField(_("participants"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seminar", "enrolment"]
        verbose_name = _("présence à un séminaire")
        verbose_name_plural = _("présences aux séminaires")
        constraints = [
            models.UniqueConstraint(
                fields=["seminar", "enrolment"], name="unique_seminar_attendance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — {self.seminar}"


class FollowUpQuerySet(CompanyScopedQuerySet):
    company_path = "enrolment__company"


class FollowUp(models.Model):
    """A follow-up questionnaire due some months after closing (6, 12, 36 by default)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="followups")
    due_months = models.PositiveSmallIntegerField(_("mois après la clôture"))
    due_on = models.DateField(_("échéance"), db_index=True)
    sent_at = models.DateTimeField(_("lien envoyé le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    still_running = models.BooleanField(
        _("la démarche de progrès se poursuit"), null=True, blank=True
    )
    indicators_tracked = models.TextField(_("indicateurs toujours suivis"), blank=True)
    latest_values = models.TextField(_("dernières valeurs"), blank=True)
    indicator_values = models.JSONField(
        _("dernières valeurs des indicateurs de la mission"),
        default=list,
        blank=True,
        help_text=_(
            "Liste de {indicator, unit, value} : value en texte décimal (jamais flottant)."
        ),
    )
    comment = models.TextField(_("commentaire"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("suivi après clôture")
        verbose_name_plural = _("suivis après clôture")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "due_months"], name="unique_followup_per_enrolment_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.company} — {self.due_months} mois"
