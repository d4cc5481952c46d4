from django.contrib import admin

from .models import (
    Agreement,
    AgreementSignature,
    Company,
    Enrolment,
    FollowUp,
    GroupMembership,
    GroupWaitlistEntry,
    Pilot,
    Seminar,
    SeminarAttendance,
    TerritorialGroup,
)


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


# Collective action and follow-up (issue 7)


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ["enrolment", "added_by"]
    readonly_fields = ["joined_at", "left_at", "left_reason"]


@admin.register(TerritorialGroup)
class TerritorialGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "relay", "departement", "created_at"]
    list_filter = ["relay", "departement"]
    list_select_related = ["relay", "departement"]
    search_fields = ["name"]
    raw_id_fields = ["created_by"]
    inlines = [GroupMembershipInline]


@admin.register(GroupWaitlistEntry)
class GroupWaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "proposed_group", "created_at", "resolved_at"]
    list_select_related = ["enrolment__company", "proposed_group"]
    raw_id_fields = ["enrolment", "proposed_group"]


class SeminarAttendanceInline(admin.TabularInline):
    model = SeminarAttendance
    extra = 0
    raw_id_fields = ["enrolment", "recorded_by"]


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "starts_at", "place", "speaker"]
    list_filter = ["group__relay"]
    list_select_related = ["group", "theme", "speaker__user"]
    raw_id_fields = ["group", "speaker", "created_by"]
    inlines = [SeminarAttendanceInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "due_months", "due_on", "sent_at", "answered_at", "still_running"]
    list_filter = ["due_months", "still_running", "enrolment__company__relay"]
    list_select_related = ["enrolment__company"]
    raw_id_fields = ["enrolment"]
