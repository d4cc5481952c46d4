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
