"""Collective action: territorial groups, seminars and follow-ups after closing.

The tables keep the names they had in `enrolment` (moved with `SeparateDatabaseAndState`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Mission
from core.scoping import CompanyScopedQuerySet, ScopedQuerySet
from enrolment.models import Enrolment, EnrolmentState

S = EnrolmentState


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
        db_table = "enrolment_territorialgroup"
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
        db_table = "enrolment_groupmembership"
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
        return self.filter(enrolment__relay_id=user.relay_id)  # the enrolment's copy

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
        db_table = "enrolment_groupwaitlistentry"
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
        db_table = "enrolment_seminar"
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
        db_table = "enrolment_seminarattendance"
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
    relay_path = "enrolment__relay_id"  # the enrolment's copy (one join less)


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
        db_table = "enrolment_followup"
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


class SatisfactionSurveyQuerySet(CompanyScopedQuerySet):
    company_path = "mission__enrolment__company"
    relay_path = "mission__enrolment__relay_id"  # the enrolment's copy (one join less)

    def answered(self):
        return self.filter(answered_at__isnull=False)


#: The four criteria on which the owner rates the consultant (1 to 5), in the form's order.
CONSULTANT_CRITERIA = ("score_listening", "score_competence", "score_method", "score_results")


def _score(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class SatisfactionSurvey(models.Model):
    """The owner's satisfaction with one closed mission (one answer per mission).

    Created when the mission closes (event `mission.closed`); the owner answers through a
    signed link that works once. The consultant rated is the mission's (fixed at closing).
    """

    mission = models.OneToOneField(
        Mission, on_delete=models.PROTECT, related_name="satisfaction_survey"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("lien envoyé le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    score_listening = _score(_("écoute"))
    score_competence = _score(_("compétence"))
    score_method = _score(_("méthode"))
    score_results = _score(_("résultats"))
    score_programme = _score(_("satisfaction à l'égard du programme"))
    would_recommend = models.BooleanField(_("recommanderait le programme"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    objects = SatisfactionSurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("questionnaire de satisfaction")
        verbose_name_plural = _("questionnaires de satisfaction")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(
                    score_listening__range=(1, 5),
                    score_competence__range=(1, 5),
                    score_method__range=(1, 5),
                    score_results__range=(1, 5),
                    score_programme__range=(1, 5),
                    would_recommend__isnull=False,
                ),
                name="satisfaction_answer_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mission} — satisfaction"

    @property
    def consultant_mean(self):
        scores = [getattr(self, name) for name in CONSULTANT_CRITERIA]
        if any(s is None for s in scores):
            return None
        return Decimal(sum(scores)) / len(scores)


class NetworkConsentQuerySet(ScopedQuerySet):
    """The owner sees their companies' consents; relay staff those of their relay's groups."""

    def for_owner(self, user):
        return self.filter(company__owner=user)

    def for_relay_staff(self, user):
        return self.filter(group__relay_id=user.relay_id)

    def shown(self):
        """The consents that put a card on the group's page (given, not withdrawn)."""
        return self.filter(state=NetworkConsent.State.GIVEN)


#: What a member may show to the other members of its group, in the form's order.
NETWORK_FIELDS = ("show_name", "show_activity", "show_town", "show_contact", "show_work")


class NetworkConsent(models.Model):
    """What a company agrees to show the other members of a territorial group (its card).

    One per company and group, created when the company joins (state "pending": nothing is
    shown). Only its owner gives, changes or withdraws it (collective.network); a withdrawal
    takes effect at once and clears the contact and the free text it held.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pas encore choisi")
        GIVEN = "given", _("Consentement donné")
        WITHDRAWN = "withdrawn", _("Consentement retiré")

    group = models.ForeignKey(
        TerritorialGroup, on_delete=models.PROTECT, related_name="network_consents"
    )
    company = models.ForeignKey(
        "enrolment.Company", on_delete=models.PROTECT, related_name="network_consents"
    )
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.PENDING)
    show_name = models.BooleanField(_("raison sociale"), default=False)
    show_activity = models.BooleanField(_("activité"), default=False)
    show_town = models.BooleanField(_("commune"), default=False)
    show_contact = models.BooleanField(_("personne à contacter et son e-mail"), default=False)
    show_work = models.BooleanField(_("ce sur quoi l'entreprise travaille"), default=False)
    activity = models.CharField(_("activité"), max_length=200, blank=True)
    contact_name = models.CharField(_("personne à contacter"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail de la personne à contacter"), blank=True)
    working_on = models.TextField(_("ce sur quoi l'entreprise travaille"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    given_at = models.DateTimeField(_("donné le"), null=True, blank=True)
    changed_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NetworkConsentQuerySet.as_manager()

    class Meta:
        ordering = ["group", "company__name", "pk"]
        verbose_name = _("consentement au réseau du groupe")
        verbose_name_plural = _("consentements au réseau des groupes")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "company"], name="one_network_consent_per_company_and_group"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="given")
                | models.Q(show_name=True)
                | models.Q(show_activity=True)
                | models.Q(show_town=True)
                | models.Q(show_contact=True)
                | models.Q(show_work=True),
                name="network_consent_given_shows_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.group} ({self.get_state_display()})"

    @property
    def chosen_fields(self) -> list[str]:
        """The labels of what the card shows, in the form's order."""
        if self.state != self.State.GIVEN:
            return []
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in NETWORK_FIELDS
            if getattr(self, name)
        ]
