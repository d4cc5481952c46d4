from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Choice, Diagnosis, Question, Questionnaire, Theme
from .services import questionnaire_activate, questionnaire_new_version


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name"]
    list_display_links = ["code"]


def _answered(questionnaire) -> bool:
    return questionnaire is not None and questionnaire.diagnoses.exists()


class LockedWhenAnsweredMixin:
    """A version that companies have answered is frozen: edit a new version instead."""

    def _questionnaire(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and _answered(self._questionnaire(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _answered(self._questionnaire(obj)):
            return False
        return super().has_delete_permission(request, obj)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


class QuestionInline(LockedWhenAnsweredMixin, admin.StackedInline):
    model = Question
    extra = 0
    fields = ["theme", "code", "position", "text", "help_text"]
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(LockedWhenAnsweredMixin, admin.ModelAdmin):
    list_display = ["version", "title", "is_active", "created_at"]
    readonly_fields = ["is_active"]
    inlines = [QuestionInline]
    actions = ["new_version", "activate"]

    @admin.action(description=_("Créer une nouvelle version modifiable (copie)"))
    def new_version(self, request, queryset):
        for questionnaire in queryset:
            copy = questionnaire_new_version(questionnaire=questionnaire)
            messages.success(request, _("Version %(v)s créée.") % {"v": copy.version})

    @admin.action(description=_("Mettre en service cette version"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, _("Sélectionnez une seule version."))
            return
        questionnaire_activate(questionnaire=queryset.get())


@admin.register(Question)
class QuestionAdmin(LockedWhenAnsweredMixin, admin.ModelAdmin):
    list_display = ["code", "questionnaire", "theme", "text"]
    list_filter = ["questionnaire", "theme"]
    list_select_related = ["questionnaire", "theme"]
    inlines = [ChoiceInline]

    def _questionnaire(self, obj):
        return obj.questionnaire


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ["company", "purpose", "state", "overall_score", "started_at", "submitted_at"]
    list_filter = ["state", "purpose", "questionnaire"]
    list_select_related = ["company", "questionnaire"]
    search_fields = ["company__name", "company__siret"]
    readonly_fields = [
        "company",
        "enrolment",
        "questionnaire",
        "answers",
        "theme_scores",
        "overall_score",
        "recommendation",
        "state",
        "submitted_at",
        "respondent",
    ]
