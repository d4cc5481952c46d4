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


# Issue 6: agreements (read-only: versions and signatures are written by services).
from .models import Agreement, AgreementSignature  # noqa: E402


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "version", "status", "created_at", "sha256"]
    list_filter = ["status"]
    list_select_related = ["enrolment__company"]
    readonly_fields = [
        "enrolment",
        "version",
        "file",
        "sha256",
        "content_hash",
        "size",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(admin.ModelAdmin):
    list_display = ["agreement", "method", "signed_by", "signed_at", "ip_address"]
    list_select_related = ["agreement__enrolment__company", "signed_by"]
    readonly_fields = [f.name for f in AgreementSignature._meta.fields]

    def has_add_permission(self, request):
        return False
