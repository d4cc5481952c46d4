from django.contrib import admin

from .models import Offer, Tariff, VatRate


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_open", "position"]
    inlines = [TariffInline]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["rate", "valid_from", "valid_to"]
