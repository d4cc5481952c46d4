"""The pool of consultants and trainers, and the missions they carry out."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.scoping import CompanyScopedQuerySet, ScopedQuerySet


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
    history = AuditedHistory(
        label=_("Profil de consultant ou formateur"),
        url=lambda h: reverse("consultants:profile", args=[h.id]),
        m2m_fields=["specialties", "departements"],
    )

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

    @property
    def load(self) -> int:
        """Running missions and pending proposals (annotated by `selectors.with_load`)."""
        return self.active_missions + self.pending_proposals


class MissionQuerySet(CompanyScopedQuerySet):
    company_path = "enrolment__company"
    relay_path = "enrolment__relay_id"  # the enrolment's copy (one join less)

    def for_consultant(self, user):
        return self.filter(consultant__user=user)

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
    history = AuditedHistory(
        label=_("Mission"), url=lambda h: reverse("consultants:mission", args=[h.id])
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        indexes = [
            # a consultant's open and closed missions counted from the index alone (the pool's
            # load and outcome columns, 50 consultants a page)
            models.Index(
                fields=["consultant", "closed_at"],
                include=["id"],
                name="mission_consultant_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Mission {self.enrolment.company}"


# --- Pilot training (approfondie): CQPM "assistant de conduite de projet industriel" (issue 7)


class TrainingModule(models.Model):
    """A module of the pilots' qualifying training (reference data, editable in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    objectives = models.TextField(_("objectifs"), blank=True)
    hours = models.PositiveSmallIntegerField(_("durée (heures)"))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("au programme"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("module de formation")
        verbose_name_plural = _("modules de formation")

    def __str__(self) -> str:
        return self.title


class TrainingSessionQuerySet(ScopedQuerySet):
    def for_trainer(self, user):
        return self.filter(trainer__user=user)

    def for_relay_staff(self, user):
        return self.filter(relay_id=user.relay_id)


class TrainingSession(models.Model):
    """One module delivered by a trainer of the pool, on a date, to pilots of a relay."""

    module = models.ForeignKey(
        TrainingModule, verbose_name=_("module"), on_delete=models.PROTECT, related_name="sessions"
    )
    trainer = models.ForeignKey(
        Expert, verbose_name=_("formateur"), on_delete=models.PROTECT, related_name="sessions"
    )
    relay = models.ForeignKey(
        "core.Relay",
        verbose_name=_("structure relais"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")

    def __str__(self) -> str:
        return f"{self.module} — {self.date:%d/%m/%Y}"

    @property
    def is_upcoming(self) -> bool:
        """Not held yet: no attendance can be recorded before the session's day."""
        return self.date > timezone.localdate()


class TraineeQuerySet(CompanyScopedQuerySet):
    company_path = "pilot__enrolment__company"
    relay_path = "pilot__enrolment__relay_id"  # the enrolment's copy (one join less)

    def for_trainer(self, user):
        return self.filter(
            models.Q(trainer__user=user) | models.Q(attendances__session__trainer__user=user)
        ).distinct()

    def completed(self):
        return self.filter(status=Trainee.Status.COMPLETED)


class Trainee(models.Model):
    """A pilot following the qualifying training: attendance, assessment, completion."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Inscrit")
        IN_PROGRESS = "in_progress", _("En formation")
        COMPLETED = "completed", _("Formation validée")
        NOT_PASSED = "not_passed", _("Évaluation non réussie")

    class Result(models.TextChoices):
        PENDING = "pending", _("Non évalué")
        PASSED = "passed", _("Réussie")
        FAILED = "failed", _("Non réussie")

    pilot = models.OneToOneField(
        "enrolment.Pilot",
        verbose_name=_("pilote"),
        on_delete=models.PROTECT,
        related_name="training",
    )
    trainer = models.ForeignKey(
        Expert,
        verbose_name=_("formateur référent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainees",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.ENROLLED, db_index=True
    )
    assessment_result = models.CharField(
        _("résultat de l'évaluation"),
        max_length=8,
        choices=Result.choices,
        default=Result.PENDING,
    )
    assessment_score = models.DecimalField(
        _("note de l'évaluation (sur 20)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    assessment_comment = models.TextField(_("appréciation du formateur"), blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_on = models.DateField(_("formation validée le"), null=True, blank=True)
    certificate_number = models.CharField(_("n° d'attestation"), max_length=30, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)

    objects = TraineeQuerySet.as_manager()

    class Meta:
        ordering = ["pilot__enrolment", "pilot__position"]
        verbose_name = _("stagiaire (pilote en formation)")
        verbose_name_plural = _("stagiaires (pilotes en formation)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assessment_score__isnull=True)
                | models.Q(assessment_score__gte=0, assessment_score__lte=20),
                name="trainee_score_0_20",
            )
        ]

    def __str__(self) -> str:
        return str(self.pilot)


class TrainingAttendance(models.Model):
    """A trainee's presence at one session, recorded by the trainer (or relay staff)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("présent"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "trainee"]
        verbose_name = _("présence en formation")
        verbose_name_plural = _("présences en formation")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"], name="unique_training_attendance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainee} — {self.session}"


# --- Pool, assignment and the mission workspace (issue 4) -------------------------------


class ConflictOfInterestQuerySet(ScopedQuerySet):
    def for_consultant(self, user):
        return self.filter(expert__user=user)


class ConflictOfInterest(models.Model):
    """A declared conflict of interest: this expert may not work for this company."""

    expert = models.ForeignKey(
        Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="conflicts"
    )
    company = models.ForeignKey(
        "enrolment.Company",
        verbose_name=_("entreprise"),
        on_delete=models.CASCADE,
        related_name="expert_conflicts",
    )
    reason = models.TextField(_("motif"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)

    objects = ConflictOfInterestQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        constraints = [
            models.UniqueConstraint(fields=["expert", "company"], name="unique_expert_conflict")
        ]

    def __str__(self) -> str:
        return f"{self.expert} × {self.company}"


class MissionScopedQuerySet(CompanyScopedQuerySet):
    """Scope of every object hanging off a mission; `mission_path` is the lookup to it."""

    mission_path = "mission"

    def _p(self, lookup: str) -> str:
        return f"{self.mission_path}__{lookup}" if self.mission_path else lookup

    @property
    def company_path(self) -> str:
        return self._p("enrolment__company")

    def for_consultant(self, user):
        return self.filter(**{self._p("consultant__user"): user})


class AssignmentQuerySet(MissionScopedQuerySet):
    def for_consultant(self, user):
        # A consultant sees the proposals made to them, not the mission's other candidates.
        return self.filter(consultant__user=user)

    def pending(self):
        return self.filter(status=Assignment.Status.PROPOSED)


class Assignment(models.Model):
    """One proposal of a consultant for a mission, and the consultant's answer (the history)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposée, en attente de réponse")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Refusée")
        REPLACED = "replaced", _("Remplacée")

    mission = models.ForeignKey(
        "Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="assignments"
    )
    consultant = models.ForeignKey(
        Expert,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    responded_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("motif"), blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = AuditedHistory(
        label=_("Proposition de mission"),
        url=lambda h: reverse("consultants:mission", args=[h.mission_id]),
        describe=lambda a: f"{a.consultant} — {a.mission.enrolment.company.name}",
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("désignation")
        verbose_name_plural = _("désignations")
        constraints = [
            models.UniqueConstraint(
                fields=["mission"],
                condition=models.Q(status="proposed"),
                name="one_pending_assignment_per_mission",
                violation_error_message=_(
                    "Une proposition est déjà en attente pour cette mission."
                ),
            )
        ]
        indexes = [
            # each consultant's pending proposals (their load, on every pool and queue page)
            models.Index(
                fields=["consultant"],
                condition=models.Q(status="proposed"),
                name="assignment_pending_consultant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} → {self.mission_id} ({self.get_status_display()})"


class HalfDay(models.Model):
    """A consulting half-day delivered at the company."""

    mission = models.ForeignKey(
        "Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="half_days"
    )
    date = models.DateField(_("date"))
    subject = models.CharField(_("objet"), max_length=255)
    attendees = models.CharField(_("participants"), max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.subject}"


class Amendment(models.Model):
    """Extra half-days beyond the offer's count, recorded by the relay with a reason."""

    mission = models.ForeignKey(
        "Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="amendments"
    )
    extra_half_days = models.PositiveSmallIntegerField(_("demi-journées supplémentaires"))
    reason = models.TextField(_("motif"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extra_half_days__gte=1), name="amendment_adds_half_days"
            )
        ]

    def __str__(self) -> str:
        return f"+{self.extra_half_days} ({self.mission_id})"


class KeyIssue(models.Model):
    """One of the two or three key issues agreed with the owner (approfondie)."""

    mission = models.ForeignKey(
        "Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="key_issues"
    )
    title = models.CharField(_("enjeu clé"), max_length=255)
    position = models.PositiveSmallIntegerField(default=1)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("enjeu clé")
        verbose_name_plural = _("enjeux clés")

    def __str__(self) -> str:
        return self.title


class ActionPlan(models.Model):
    """An action plan: one for ciblée, one or more per key issue for approfondie."""

    mission = models.ForeignKey(
        "Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="action_plans"
    )
    key_issue = models.ForeignKey(
        KeyIssue,
        verbose_name=_("enjeu clé"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_plans",
    )
    title = models.CharField(_("intitulé"), max_length=255)
    objective = models.TextField(_("objectif"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan d'action")
        verbose_name_plural = _("plans d'action")

    def __str__(self) -> str:
        return self.title


class PlanScopedQuerySet(MissionScopedQuerySet):
    mission_path = "plan__mission"


class Action(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Terminée")
        DROPPED = "dropped", _("Abandonnée")

    plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("plan d'action"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=255)
    owner = models.ForeignKey(
        "enrolment.Pilot", verbose_name=_("responsable (pilote)"), on_delete=models.PROTECT
    )
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.TODO
    )

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("plan d'action"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=40)
    baseline = models.DecimalField(_("valeur de départ"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class IndicatorScopedQuerySet(MissionScopedQuerySet):
    mission_path = "indicator__plan__mission"


class Measurement(models.Model):
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicateur"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = IndicatorScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} : {self.value}"
