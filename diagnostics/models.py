"""The self-diagnosis. `Theme` is the taxonomy shared with the consultants' specialties."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CompanyScopedQuerySet

from .scoring import CIBLEE


class Theme(models.Model):
    """A theme the method acts on (stocks, maintenance, …): diagnosis axis and specialty."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self) -> str:
        return self.name


class Questionnaire(models.Model):
    """One version of the self-diagnosis questionnaire; answered versions are never altered."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    scale = models.JSONField(
        _("échelle de maturité"),
        default=list,
        help_text=_("Liste de niveaux {value, label}, du moins au plus mature."),
    )
    is_active = models.BooleanField(
        _("en service"),
        default=False,
        help_text=_("La version proposée aux nouveaux autodiagnostics (une seule à la fois)."),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_questionnaire",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — v{self.version}"

    @property
    def max_value(self) -> int:
        return max((level["value"] for level in self.scale), default=4)


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="questions")
    code = models.SlugField(_("code"), max_length=20)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("aide"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire", "theme__position", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="unique_question_code_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.text[:60]}"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    value = models.PositiveSmallIntegerField(_("niveau"))
    label = models.CharField(_("libellé"), max_length=300)

    class Meta:
        ordering = ["question", "value"]
        verbose_name = _("réponse proposée")
        verbose_name_plural = _("réponses proposées")
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="unique_choice_value")
        ]

    def __str__(self) -> str:
        return f"{self.value} — {self.label[:60]}"


class DiagnosisQuerySet(CompanyScopedQuerySet):
    # What a consultant sees (their missions' companies') is registered by consultants.

    def submitted(self):
        return self.filter(state=Diagnosis.State.SUBMITTED)


class Diagnosis(models.Model):
    """A company's answers to one questionnaire version; frozen once submitted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis")

    class Purpose(models.TextChoices):
        ENROLMENT = "enrolment", _("Inscription")
        CLOSING = "closing", _("Clôture")
        FOLLOW_UP = "follow_up", _("Suivi")

    company = models.ForeignKey(
        "enrolment.Company",
        verbose_name=_("entreprise"),
        on_delete=models.CASCADE,
        related_name="diagnoses",
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("inscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diagnoses",
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="diagnoses"
    )
    purpose = models.CharField(
        _("occasion"), max_length=20, choices=Purpose.choices, default=Purpose.ENROLMENT
    )
    state = models.CharField(
        _("état"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    theme_scores = models.JSONField(_("scores par thème"), default=dict, blank=True)
    overall_score = models.DecimalField(
        _("score global"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    recommendation = models.JSONField(_("recommandation"), default=dict, blank=True)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = DiagnosisQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("autodiagnostic")
        verbose_name_plural = _("autodiagnostics")
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state="draft"),
                name="one_draft_diagnosis_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.started_at:%d/%m/%Y} ({self.get_state_display()})"

    @property
    def recommends_targeted(self) -> bool:
        """The recommendation is the ciblée offer (one acute problem)."""
        return (self.recommendation or {}).get("offer") == CIBLEE

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED
