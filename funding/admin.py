from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Account,
    AidInstalment,
    JournalEntry,
    JournalLine,
    Payment,
    PeriodClose,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is immutable: the admin only shows it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    readonly_fields = ["account", "debit", "credit", "funder", "company", "consultant", "enrolment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "relay", "date", "label", "event_kind", "author"]
    list_filter = ["relay", "event_kind"]
    search_fields = ["label", "idempotency_key"]
    list_select_related = ["relay", "author"]
    inlines = [JournalLineInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["relay", "code", "name"]
    list_filter = ["relay"]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["relay", "kind", "date", "amount", "reference", "overpayment"]
    list_filter = ["relay", "kind"]


@admin.register(AidInstalment)
class AidInstalmentAdmin(ReadOnlyAdmin):
    list_display = ["relay", "enrolment", "kind", "amount", "status", "due_on"]
    list_filter = ["relay", "status", "kind"]


@admin.register(PeriodClose)
class PeriodCloseAdmin(ReadOnlyAdmin):
    list_display = ["relay", "closed_until", "closed_by", "created_at"]
