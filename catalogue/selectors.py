"""Reads about the catalogue: the tariff and VAT rate in force, the open offers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.reference import reference_rows

from .deminimis import regulation_on
from .models import DeMinimisRegulation, Offer, Tariff, VatRate


def tariff_in_force(*, offer: Offer, on: dt.date | None = None) -> Tariff | None:
    on = on or timezone.localdate()
    return Tariff.objects.in_force(on).filter(offer=offer).order_by("-valid_from").first()


def vat_rate_in_force(*, on: dt.date | None = None) -> Decimal:
    on = on or timezone.localdate()
    rate = VatRate.objects.in_force(on).order_by("-valid_from").first()
    if rate is None:
        raise BusinessRuleError(_("Aucun taux de TVA n'est en vigueur à cette date."))
    return rate.rate


def open_offers_with_tariffs(*, on: dt.date | None = None) -> list[tuple[Offer, Tariff]]:
    """The offers open to enrolment today with the tariff in force (the landing page's table)."""
    on = on or timezone.localdate()
    tariffs = (
        Tariff.objects.in_force(on)
        .filter(offer__is_open=True)
        .select_related("offer")
        .order_by("offer__position", "-valid_from")
    )
    seen: dict[int, Tariff] = {}
    for tariff in tariffs:
        seen.setdefault(tariff.offer_id, tariff)
    return [(t.offer, t) for t in seen.values()]


def deminimis_regulations() -> list[DeMinimisRegulation]:
    """Every de minimis regulation (reference data, kept in the cache: `core.reference`)."""
    return list(reference_rows(DeMinimisRegulation).values())


def deminimis_regulation_in_force(*, on: dt.date | None = None) -> DeMinimisRegulation:
    """The de minimis regulation that applies to aid granted on `on` (today by default)."""
    on = on or timezone.localdate()
    regulation = regulation_on(deminimis_regulations(), on)
    if regulation is None:
        raise BusinessRuleError(
            _("Aucun règlement de minimis n'est en vigueur le %(date)s.")
            % {"date": on.strftime("%d/%m/%Y")}
        )
    return regulation
