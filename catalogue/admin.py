from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import BusinessRuleError
from core.reauth import RecentAuthenticationAdminMixin

from .models import DeMinimisRegulation, Offer, Tariff, VatRate
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


@admin.register(DeMinimisRegulation)
class DeMinimisRegulationAdmin(RecentAuthenticationAdminMixin, admin.ModelAdmin):
    list_display = ["name", "ceiling", "window", "years", "valid_from", "valid_to"]
