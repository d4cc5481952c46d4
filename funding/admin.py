from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import BusinessRuleError
from core.reauth import RecentAuthenticationAdminMixin

from .models import (
    Account,
    AidInstalment,
    JournalEntry,
    JournalLine,
    Milestone,
    Offer,
    Payment,
    PeriodClose,
    ProgrammeTarget,
    Tariff,
    VatRate,
)
from .services import tariff_check


class TariffForm(forms.ModelForm):
    """Staff edit tariffs here; overlaps and changes to a used tariff are refused."""

    class Meta:
        model = Tariff
        fields = [
            "offer",
            "valid_from",
            "valid_to",
            "duration_months",
            "half_days",
            "pilots",
            "includes_training",
            "company_contribution_ht",
            "regional_aid_ht",
            "state_aid_ht",
            "fse_aid_ht",
            "regional_advance_percent",
            "consultant_half_day_rate",
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = self.instance
        for name, value in data.items():
            setattr(candidate, name, value)
        try:
            tariff_check(tariff=candidate)
        except BusinessRuleError as exc:
            raise forms.ValidationError(exc.message)
        return data


class TariffInline(admin.TabularInline):
    model = Tariff
    form = TariffForm
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_open", "position"]
    inlines = [TariffInline]


@admin.register(Tariff)
class TariffAdmin(
    RecentAuthenticationAdminMixin, SimpleHistoryAdmin
):  # "Historique": who changed it
    form = TariffForm
    list_display = ["offer", "valid_from", "valid_to", "company_contribution_ht", "regional_aid_ht"]
    list_filter = ["offer"]


@admin.register(VatRate)
class VatRateAdmin(RecentAuthenticationAdminMixin, admin.ModelAdmin):
    list_display = ["rate", "valid_from", "valid_to"]


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


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "target_enrolments", "ends_on", "budget_envelope"]
    inlines = [MilestoneInline]
