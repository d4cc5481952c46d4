"""Users, relay organisations and territory, and the shared mechanisms (timeline, outbox)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import SEE_ALL_ROLES, Role
from .scoping import ScopedQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)


def person_label(first_name: str, last_name: str, email: str) -> str:
    """How a person is named on pages: first and last name, or the e-mail when neither is known
    (`str(user)`; tables reading rows as values call it with the three columns)."""
    return f"{first_name} {last_name}".strip() or email


class User(AbstractUser):
    """A person who logs in by e-mail; `role` says which home and scope they get."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.OWNER)
    relay = models.ForeignKey(
        "core.Relay",
        verbose_name=_("structure relais"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_(
            "Pour les chargés de mission : la structure relais à laquelle ils appartiennent."
        ),
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="relay_staff") | models.Q(relay__isnull=False),
                name="relay_staff_has_relay",
                violation_error_message=_(
                    "Un chargé de mission doit être rattaché à une structure relais."
                ),
            )
        ]

    def __str__(self) -> str:
        return person_label(self.first_name, self.last_name, self.email)

    def reuse_relay(self, relay) -> None:
        """A page that has read the user's own relay hands it over: the page's frame names it,
        without reading it again."""
        if relay is not None and self.relay_id == relay.pk:
            self.relay = relay

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in SEE_ALL_ROLES

    @property
    def is_read_only(self) -> bool:
        """The Region watches: it sees everything and changes almost nothing."""
        return self.role == Role.REGION


class RelayQuerySet(ScopedQuerySet):
    def for_relay_staff(self, user):
        return self.filter(pk=user.relay_id)

    def for_owner(self, user):
        return self.filter(companies__owner=user).distinct()


class Relay(models.Model):
    """A relay organisation (structure relais): runs the programme locally, keeps a ledger."""

    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    full_name = models.CharField(_("raison sociale"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.TextField(_("adresse"), blank=True)

    objects = RelayQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure relais")
        verbose_name_plural = _("structures relais")

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    """A département of the programme's territory and the relay attached to it by default."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    in_programme = models.BooleanField(_("éligible au programme"), default=True)
    default_relay = models.ForeignKey(
        Relay,
        verbose_name=_("structure relais par défaut"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departements",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TimelineEvent(models.Model):
    """Who did what to which object, when and why: the history shown on object pages."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    verb = models.CharField(_("action"), max_length=60)
    message = models.TextField(_("message"), blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    internal = models.BooleanField(
        _("interne"), default=False, help_text=_("Jamais montré à l'entreprise.")
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = _("événement de l'historique")
        verbose_name_plural = _("historique")

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.verb}"


class OutboxMessage(models.Model):
    """An event written in the same transaction as the change that caused it.

    Side effects (PDFs, e-mails) run from here, so a broker outage delays them
    and never loses them. `key` is unique: publishing the same event twice is a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        DONE = "done", _("traité")
        FAILED = "failed", _("en échec")

    kind = models.CharField(max_length=80, db_index=True)
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.get_status_display()})"


class ReminderSent(models.Model):
    """One reminder of one rule, about one object, to one person, for one due date.

    The unique constraint is what guarantees "at most once": the row is inserted
    before the e-mail leaves, so two sweeps (two beat processes, a retried task)
    cannot both send it.
    """

    rule = models.CharField(_("règle"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(_("échéance"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    digest = models.BooleanField(
        _("dans le récapitulatif hebdomadaire"),
        default=False,
        help_text=_("Envoyée avec le récapitulatif de la semaine plutôt qu'immédiatement."),
    )
    email_subject = models.CharField(_("objet"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id", "recipient", "due_date"],
                name="reminder_sent_once",
            )
        ]
        indexes = [models.Index(fields=["recipient", "digest", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.rule} → {self.recipient_id} ({self.due_date:%d/%m/%Y})"


class ReminderPreference(models.Model):
    """What a user chose in their profile: optional reminders turned off, weekly digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    disabled_rules = models.JSONField(_("relances désactivées"), default=list, blank=True)
    weekly_digest = models.BooleanField(
        _("recevoir un récapitulatif hebdomadaire au lieu des relances facultatives"),
        default=False,
    )

    class Meta:
        verbose_name = _("préférence de relance")
        verbose_name_plural = _("préférences de relance")

    def __str__(self) -> str:
        return f"Préférences de {self.user_id}"


class Submission(models.Model):
    """A form (or API write) recorded once: its one-time key, who sent it, what it produced.

    The key is issued with the form (a hidden field) or sent by an API client
    (`Idempotency-Key`); the unique constraint makes a second post of the same key, even at
    the same instant, find the first one's result instead of recording again
    (`core.submissions`).
    """

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=60)
    result_url = models.CharField(max_length=500, blank=True)
    result_message = models.CharField(max_length=500, blank=True)
    #: for the API: the first answer's status and body, returned again on a replay
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_submission_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"
