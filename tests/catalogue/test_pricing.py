"""One price everywhere: the offer page, the agreement PDF, the ledger and the API agree.

The rule (catalogue.pricing): VAT at the rate in force on the validation day, frozen on the
enrolment; amounts rounded to the cent, half up.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient
from zeal import zeal_ignore

from agreements.services import agreement_accept, current_agreement
from api.services import api_token_create
from catalogue.models import Offer, Tariff, VatRate
from catalogue.pricing import Price, aid_kept_on_early_exit, final_aid_equivalent, tariff_price
from catalogue.selectors import tariff_in_force, vat_rate_in_force
from core.models import OutboxMessage
from core.outbox import outbox_process_message
from diagnostics.models import Theme
from enrolment.actions import choose_offer, validate
from enrolment.models import EnrolmentState
from funding.models import JournalEntry
from tests.agreements.helpers import assign_consultant
from tests.enrolment.helpers import PILOT, diagnosed_enrolment, staff

pytestmark = pytest.mark.django_db
D = Decimal
PARIS = dt.timezone(dt.timedelta(hours=1))


def _digits(text: str) -> str:
    """Text without any kind of space: '2 684,28 €' and '2\u202f684,28' both read 2684,28."""
    return re.sub(r"[\s\u00a0\u202f\u2009]", "", text)


def test_vat_is_rounded_half_up_to_the_cent_and_shares_add_up():
    tariff = Tariff(
        company_contribution_ht=D("2440.25"),
        regional_aid_ht=D("4000.00"),
        state_aid_ht=D("1000.00"),
        fse_aid_ht=D("500.00"),
        regional_advance_percent=D("33.33"),
    )
    price = tariff_price(tariff=tariff, vat_rate=D("10.00"))
    assert price.vat == D("244.03")  # 244.025: half up, not half even (244.02)
    assert price.company_ttc == D("2684.28")
    assert price.aid_equivalent == D("5500.00")  # the public funders' shares
    assert price.other_aid == D("1500.00")
    assert price.total_cost_ht == D("7940.25")
    assert price.regional_advance == D("1333.20")
    assert price.regional_advance + price.regional_balance == price.regional_aid


@pytest.fixture
def vat_changes_tomorrow():
    """10 % today (ending tonight), 20 % from tomorrow; a ciblée tariff at 2,440.25 HT."""
    today = timezone.localdate()
    VatRate.objects.filter(valid_to__isnull=True).update(valid_to=today - dt.timedelta(days=1))
    VatRate.objects.create(rate=D("10.00"), valid_from=today, valid_to=today)
    VatRate.objects.create(rate=D("20.00"), valid_from=today + dt.timedelta(days=1))
    offer = Offer.objects.get(code="ciblee")
    Tariff.objects.filter(pk=tariff_in_force(offer=offer).pk).update(
        company_contribution_ht=D("2440.25")
    )
    return offer


def _process_outbox() -> None:
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox_process_message(pk)


def test_vat_ttc_and_region_share_are_the_same_on_every_surface_when_the_rate_changes(
    client, vat_changes_tomorrow
):
    offer = vat_changes_tomorrow
    enrolment = diagnosed_enrolment()
    owner = enrolment.company.owner

    # The offer page, before validation: today's rate (10 %), half up.
    client.force_login(owner)
    page = _digits(client.get(reverse("enrolment:offer", args=[enrolment.pk])).content.decode())
    assert "244,03" in page and "2684,28" in page and "4000,00" in page

    relay_staff = staff()
    with zeal_ignore():
        choose_offer(
            enrolment=enrolment,
            by=owner,
            offer=offer,
            pilots=[PILOT],
            problem_theme=enrolment.company and _theme("stocks"),
        )
        validate(enrolment=enrolment, by=relay_staff)  # freezes 10 %
        _process_outbox()
    enrolment.refresh_from_db()
    assert enrolment.vat_rate == D("10.00")

    # Two days later the rate is 20 %: consultant, agreement and signature happen then.
    later = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=2), dt.time(10), tzinfo=PARIS
    )
    with time_machine.travel(later, tick=False), zeal_ignore():
        assert vat_rate_in_force() == D("20.00")
        assign_consultant(enrolment, staff=relay_staff)
        _process_outbox()
        agreement = current_agreement(enrolment=enrolment)
        agreement_accept(agreement=agreement, by=owner, ip_address="127.0.0.1")
        _process_outbox()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.AGREEMENT_SIGNED

    # The agreement PDF
    with agreement.file.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    pdf = _digits(text)
    assert "244,03" in pdf and "2684,28" in pdf and "4000,00" in pdf
    assert "488,05" not in pdf  # not the rate of the signature day

    # The ledger
    entry = JournalEntry.objects.get(idempotency_key=f"signed:{enrolment.pk}")
    lines = {ln.account.code: ln.debit or ln.credit for ln in entry.lines.select_related("account")}
    assert lines["44571"] == D("244.03")
    assert lines["411"] == D("2684.28")
    assert lines["441"] == D("4000.00")

    # The API
    cache.clear()
    _, raw = api_token_create(user=owner, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    price = api.get(f"/api/v1/enrolments/{enrolment.pk}/").json()["price"]
    assert price["vat_rate"] == "10.00" and price["vat_rate_frozen"] is True
    assert (price["vat"], price["company_ttc"], price["regional_aid"]) == (
        "244.03",
        "2684.28",
        "4000.00",
    )


def _theme(code):
    return Theme.objects.get(code=code)


def _price(**shares):
    return Price(
        company_ht=Decimal("1000.00"),
        vat_rate=Decimal("20"),
        vat=Decimal("200.00"),
        regional_aid=shares.get("region", Decimal("0.00")),
        state_aid=shares.get("state", Decimal("0.00")),
        fse_aid=shares.get("fse", Decimal("0.00")),
        advance_percent=Decimal("50"),
    )


def test_aid_kept_on_early_exit_under_each_rule():
    price = _price(region=Decimal("4000.00"), fse=Decimal("1000.01"))
    # 3 of 8 half-days: Region pro rata 1,500 < advance 2,000; FSE pro rata 375.00 < 500.01
    kept = aid_kept_on_early_exit(price, planned=8, delivered=3, rule="prorata_keep_advance")
    assert [(k.funder, k.kept, k.cancelled) for k in kept] == [
        ("region", Decimal("2000.00"), Decimal("2000.00")),
        ("fse", Decimal("500.01"), Decimal("500.00")),
    ]
    # 7 of 8: pro rata wins (3,500.00; 875.01 rounded half up from 875.00875)
    kept = aid_kept_on_early_exit(price, planned=8, delivered=7, rule="prorata_keep_advance")
    assert [k.kept for k in kept] == [Decimal("3500.00"), Decimal("875.01")]
    # more half-days than planned: capped at the share
    kept = aid_kept_on_early_exit(price, planned=8, delivered=10, rule="prorata_keep_advance")
    assert [k.kept for k in kept] == [Decimal("4000.00"), Decimal("1000.01")]
    kept = aid_kept_on_early_exit(price, planned=8, delivered=7, rule="advance_only")
    assert [k.kept for k in kept] == [Decimal("2000.00"), Decimal("500.01")]
    kept = aid_kept_on_early_exit(price, planned=8, delivered=0, rule="keep_all")
    assert [k.kept for k in kept] == [Decimal("4000.00"), Decimal("1000.01")]


def test_final_aid_equivalent_is_the_whole_aid_without_early_exit(settings):
    settings.FUNDING_EARLY_EXIT_RULE = "prorata_keep_advance"
    tariff = Tariff(
        half_days=8,
        company_contribution_ht=Decimal("2440.00"),
        regional_aid_ht=Decimal("4000.00"),
        state_aid_ht=Decimal("0.00"),
        fse_aid_ht=Decimal("0.00"),
        regional_advance_percent=Decimal("50"),
    )
    assert final_aid_equivalent(tariff=tariff, early_exit=False) == Decimal("4000.00")
    assert final_aid_equivalent(tariff=tariff, early_exit=True, delivered_half_days=6) == Decimal(
        "3000.00"
    )
    assert final_aid_equivalent(tariff=tariff, early_exit=True) == Decimal("2000.00")
