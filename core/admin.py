from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Departement,
    OutboxMessage,
    Relay,
    ReminderPreference,
    ReminderSent,
    TimelineEvent,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "relay", "is_active"]
    list_filter = ["role", "relay", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Rôle"), {"fields": ("role", "relay")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "role", "relay", "password1", "password2")},
        ),
    )


@admin.register(Relay)
class RelayAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email", "phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "in_programme", "default_relay"]
    list_editable = ["in_programme", "default_relay"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "content_type", "object_id", "verb", "actor", "to_state"]
    list_filter = ["verb", "content_type"]
    list_select_related = ["content_type", "actor"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "key", "status", "attempts", "processed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key"]


# Reminders.


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rule", "recipient", "due_date", "sent_at", "digest"]
    list_filter = ["rule", "digest"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "email_subject"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest", "disabled_rules"]
    list_select_related = ["user"]
