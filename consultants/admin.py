from django.contrib import admin

from .models import Expert, Mission


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
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


# --- issue 4: assignment history and the mission workspace (read-mostly in the admin) ---
from .models import (  # noqa: E402
    Action,
    ActionPlan,
    Amendment,
    Assignment,
    ConflictOfInterest,
    HalfDay,
    Indicator,
    KeyIssue,
    Measurement,
)


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
