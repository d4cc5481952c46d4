from django.contrib import admin

from .models import Agreement, AgreementSignature

# Agreements (read-only: versions and signatures are written by services).


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
