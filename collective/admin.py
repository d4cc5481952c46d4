from django.contrib import admin

from .models import (
    FollowUp,
    GroupMembership,
    GroupWaitlistEntry,
    Seminar,
    SeminarAttendance,
    TerritorialGroup,
)


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
