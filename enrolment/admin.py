from django.contrib import admin

from .models import Company, Enrolment, Pilot


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "departement", "relay", "owner"]
    list_filter = ["relay", "departement"]
    search_fields = ["name", "siret"]
    list_select_related = ["departement", "relay", "owner"]
    raw_id_fields = ["owner"]


class PilotInline(admin.TabularInline):
    model = Pilot
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["company", "state", "offer", "created_at"]
    list_filter = ["state", "offer", "company__relay"]
    search_fields = ["company__name", "company__siret"]
    list_select_related = ["company", "offer"]
    readonly_fields = ["state", "version"]
    raw_id_fields = ["company", "created_by"]
    inlines = [PilotInline]
