"""The closing report repeats the final de minimis aid equivalent: the whole aid after a full
mission, lowered by the ledger's early-exit rule after an early exit (withdrawn after signing).
Hand-made tariff: Region 4,000 + State 1,000 HT, advance 50 %, 8 half-days planned."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agreements.closing_report import closing_report_context, closing_report_render
from catalogue.models import Offer, Tariff
from catalogue.selectors import tariff_in_force
from consultants import services
from core.money import NNBSP
from enrolment import actions
from funding.ledger import balances
from tests.consultants.factories import running_mission, service_story, staff_of

pytestmark = pytest.mark.django_db


@service_story
def _mission(*, half_days: int):
    ciblee = tariff_in_force(offer=Offer.objects.get(code="ciblee"))
    Tariff.objects.filter(pk=ciblee.pk).update(
        half_days=8,
        regional_aid_ht=D("4000.00"),
        state_aid_ht=D("1000.00"),
        fse_aid_ht=D("0.00"),
        regional_advance_percent=D("50"),
    )
    mission = running_mission(started_days_ago=40)
    enrolment = mission.enrolment
    assert enrolment.tariff_id == ciblee.pk
    today = timezone.localdate()
    for i in range(half_days):
        services.half_day_log(
            mission=mission,
            by=mission.consultant.user,
            date=today - dt.timedelta(days=30 - i),
            subject=f"Séance {i + 1}",
            attendees="Karim Pilote1",
        )
    enrolment.refresh_from_db()
    return mission, enrolment


def _text(enrolment) -> str:
    pdf = PdfReader(io.BytesIO(closing_report_render(enrolment=enrolment)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    return " ".join(text.replace(NNBSP, " ").replace("\u00a0", " ").split())


@service_story
def test_full_mission_report_repeats_the_whole_aid_equivalent():
    mission, enrolment = _mission(half_days=2)
    services.mission_write_summary(mission=mission, by=mission.consultant.user, summary="Fait.")
    services.mission_close(mission=mission, by=staff_of(enrolment))
    enrolment.refresh_from_db()

    section = closing_report_context(enrolment=enrolment)["deminimis"]
    assert (section["granted"], section["final"], section["early_exit"]) == (
        D("5000.00"),
        D("5000.00"),
        False,
    )
    flat = _text(enrolment)
    assert "Aide de minimis" in flat
    assert "Règlement (UE) 2023/2831" in flat
    assert "Équivalent-subvention définitif 5 000,00 €" in flat, flat
    assert "Sortie anticipée" not in flat


@service_story
def test_early_exit_lowers_the_final_aid_by_the_ledger_rule():
    # 6 of 8 half-days: Region max(2,000 advance, 3,000 pro rata) = 3,000;
    # State max(500 advance, 750 pro rata) = 750; final 3,750 of 5,000
    mission, enrolment = _mission(half_days=6)
    relay = enrolment.company.relay
    actions.withdraw(enrolment=enrolment, by=staff_of(enrolment), reason="Cessation d'activité")
    enrolment.refresh_from_db()

    section = closing_report_context(enrolment=enrolment)["deminimis"]
    assert (section["granted"], section["final"], section["early_exit"]) == (
        D("5000.00"),
        D("3750.00"),
        True,
    )
    # one rule: what the ledger keeps as revenue is the final aid of the report
    got = balances(relay=relay)
    assert -(got["740"] + got["741"]) == D("3750.00")
    flat = _text(enrolment)
    assert "Équivalent-subvention accordé 5 000,00 €" in flat, flat
    assert "Équivalent-subvention définitif 3 750,00 €" in flat
    assert (
        "Sortie anticipée : l'aide de minimis définitive est ramenée de 5 000,00 € à 3 750,00 €"
        in flat
    )


@service_story
def test_early_exit_under_advance_only_keeps_the_advances(settings):
    settings.FUNDING_EARLY_EXIT_RULE = "advance_only"
    mission, enrolment = _mission(half_days=6)
    actions.withdraw(enrolment=enrolment, by=staff_of(enrolment), reason="Départ du dirigeant")
    enrolment.refresh_from_db()
    assert closing_report_context(enrolment=enrolment)["deminimis"]["final"] == D("2500.00")
