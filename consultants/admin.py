from django.contrib import admin

from core.reauth import RecentAuthenticationAdminMixin

from .models import (
    Action,
    ActionPlan,
    Amendment,
    Assignment,
    ConflictOfInterest,
    Expert,
    HalfDay,
    Indicator,
    KeyIssue,
    Measurement,
    Mission,
    Trainee,
    TrainingAttendance,
    TrainingModule,
    TrainingSession,
)


@admin.register(Expert)
class ExpertAdmin(RecentAuthenticationAdminMixin, admin.ModelAdmin):  # half-day rates
    list_display = ["__str__", "kind", "firm", "accreditation", "capacity", "half_day_rate"]
    list_filter = ["kind", "accreditation", "specialties", "departements"]
    search_fields = ["user__last_name", "user__email", "firm"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["specialties", "departements"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "consultant", "start_date", "planned_end_date", "closed_at"]
    list_select_related = ["enrolment__company", "consultant__user"]
    raw_id_fields = ["enrolment", "consultant"]


# Pilot training (issue 7)


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "hours", "is_active"]
    list_display_links = ["title"]
    list_filter = ["is_active"]


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    raw_id_fields = ["trainee", "recorded_by"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["module", "date", "trainer", "relay", "place"]
    list_filter = ["relay", "module"]
    list_select_related = ["module", "trainer__user", "relay"]
    raw_id_fields = ["trainer", "created_by"]
    inlines = [TrainingAttendanceInline]


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    list_display = ["pilot", "trainer", "status", "assessment_result", "completed_on"]
    list_filter = ["status", "assessment_result"]
    list_select_related = ["pilot", "trainer__user"]
    raw_id_fields = ["pilot", "trainer", "assessed_by"]
    readonly_fields = ["certificate_number"]


# --- Assignment history and the mission workspace (read-mostly in the admin) ---


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["expert", "company", "declared_at"]
    list_select_related = ["expert__user", "company"]
    raw_id_fields = ["expert", "company", "declared_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["mission", "consultant", "status", "proposed_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["mission__enrolment__company", "consultant__user"]
    raw_id_fields = ["mission", "consultant", "proposed_by", "responded_by"]


@admin.register(HalfDay)
class HalfDayAdmin(admin.ModelAdmin):
    list_display = ["date", "subject", "mission"]
    list_select_related = ["mission__enrolment__company"]
    raw_id_fields = ["mission", "logged_by"]


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["mission", "extra_half_days", "created_at"]
    list_select_related = ["mission__enrolment__company"]
    raw_id_fields = ["mission", "recorded_by"]


for model in (KeyIssue, ActionPlan, Action, Indicator, Measurement):
    admin.site.register(model)
