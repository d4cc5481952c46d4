"""The Region's de minimis register: one row per aid granted (signed agreement), in the
transparency register's columns, filtered by period and relay, scoped like the staff pages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from zeal import zeal_ignore

from catalogue.models import Offer, Tariff
from catalogue.pricing import enrolment_aid_equivalent
from catalogue.selectors import tariff_in_force
from consultants.services import half_day_log
from core.models import Relay
from core.templatetags.money import eur
from enrolment.actions import withdraw
from enrolment.models import Enrolment, EnrolmentState, GrantedAidTally
from tests.builders import enrolment_at
from tests.consultants.factories import running_mission, staff_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = EnrolmentState
HEADERS = [
    "Nom du bénéficiaire",
    "Identifiant du bénéficiaire (SIRET)",
    "Autorité d'octroi",
    "Date d'octroi",
    "Montant de l'aide (EUR)",
    "Règlement",
    "Montant définitif (EUR)",
]


def _signed(name: str, *, relay_slug: str = "afpi", days_ago: int = 0, **kw):
    with zeal_ignore():
        extra = {"postcode": "74000", "departement_id": "74"} if relay_slug == "thesame" else {}
        e = enrolment_at(S.AGREEMENT_SIGNED, name=name, relay=relay(relay_slug), **extra, **kw)
        signed_at = timezone.now() - dt.timedelta(days=days_ago)
        Enrolment.objects.filter(pk=e.pk).update(signed_at=signed_at)
        e.refresh_from_db()
        return e


def relay(slug: str) -> Relay:
    return Relay.objects.filter(slug=slug).first()


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_register_rows_columns_and_filters(client):
    lyon = _signed("Tôlerie Lyonnaise", days_ago=40)
    annecy = _signed("Décolletage d'Annecy", relay_slug="thesame", days_ago=5)
    with zeal_ignore():
        enrolment_at(S.VALIDATED, name="Pas encore signée")  # not granted: no row
        aid = enrolment_aid_equivalent(lyon)
    region = UserFactory(region=True)
    client.force_login(region)
    url = reverse("reporting:deminimis_register")

    rows = _csv(client.get(url, {"format": "csv"}).content)
    assert rows[0] == HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Tôlerie Lyonnaise", "Décolletage d'Annecy"}
    granted_on = timezone.localdate(lyon.signed_at).strftime("%d/%m/%Y")
    assert by_name["Tôlerie Lyonnaise"] == [
        "Tôlerie Lyonnaise",
        lyon.company.siret,
        "Région Rhône-Alpes",
        granted_on,
        f"{aid:f}".replace(".", ","),
        "Règlement (UE) 2023/2831",
        f"{aid:f}".replace(".", ","),  # a full mission: the final amount is the aid granted
    ]

    # period: the last ten days; relay: Thésame
    recent = {"start": (timezone.localdate() - dt.timedelta(days=10)).isoformat()}
    assert [r[0] for r in _csv(client.get(url, {**recent, "format": "csv"}).content)[1:]] == [
        "Décolletage d'Annecy"
    ]
    only_afpi = {"relay": str(relay("afpi").pk), "format": "csv"}
    assert [r[0] for r in _csv(client.get(url, only_afpi).content)[1:]] == ["Tôlerie Lyonnaise"]

    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS and len(values) == 3
    page = client.get(url).content.decode()
    assert "Registre des aides de minimis" in page and annecy.company.siret in page


def test_relay_staff_see_their_relays_aid_only(client):
    _signed("Tôlerie Lyonnaise")
    _signed("Décolletage d'Annecy", relay_slug="thesame")
    client.force_login(UserFactory(role="relay_staff", relay=relay("thesame")))
    url = reverse("reporting:deminimis_register")
    rows = _csv(client.get(url, {"format": "csv"}).content)
    assert [r[0] for r in rows[1:]] == ["Décolletage d'Annecy"]
    # asking for another relay is not a way round the scope
    forced = client.get(url, {"relay": str(relay("afpi").pk), "format": "csv"}).content
    assert "Tôlerie Lyonnaise" not in forced.decode("utf-8-sig")


def test_an_early_exit_shows_the_final_amount_lowered_by_the_ledger_rule(client):
    """Region 4,000 + State 1,000 HT, advance 50 %, 8 half-days planned; 6 delivered then
    withdrawn: Region keeps 3,000 (pro rata), the State 750: final 3,750 of 5,000 granted."""
    with zeal_ignore():
        ciblee = tariff_in_force(offer=Offer.objects.get(code="ciblee"))
        Tariff.objects.filter(pk=ciblee.pk).update(
            half_days=8,
            regional_aid_ht=Decimal("4000.00"),
            state_aid_ht=Decimal("1000.00"),
            fse_aid_ht=Decimal("0.00"),
            regional_advance_percent=Decimal("50"),
        )
        mission = running_mission(started_days_ago=40)
        enrolment = mission.enrolment
        for i in range(6):
            half_day_log(
                mission=mission,
                by=mission.consultant.user,
                date=timezone.localdate() - dt.timedelta(days=30 - i),
                subject=f"Séance {i + 1}",
                attendees="Karim Pilote1",
            )
        withdraw(enrolment=enrolment, by=staff_of(enrolment), reason="Cessation d'activité")
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:deminimis_register")
    rows = _csv(client.get(url, {"format": "csv"}).content)
    assert [(r[4], r[6]) for r in rows[1:]] == [("5000,00", "3750,00")]
    page = client.get(url).content.decode()
    assert "(sortie anticipée)" in page
    enrolment.refresh_from_db()
    signed = timezone.localdate(enrolment.signed_at).strftime("%d/%m/%Y")
    row = f"<td>{enrolment.company.siret}</td><td>Région Rhône-Alpes, État</td><td>{signed}</td>"
    assert row in page
    assert '<td class="num">5\u202f000,00\u00a0€</td>' in page
    assert '<td class="num">3\u202f750,00\u00a0€ <span' in page


def test_the_page_is_paginated_and_its_caption_counts_every_aid(client, monkeypatch):
    """At national scale the page cannot list 70,000 aids: pages of REGISTER_PAGE_SIZE, with
    the count and the total of the whole selection (the exports hold every row)."""
    monkeypatch.setattr("reporting.views.REGISTER_PAGE_SIZE", 1)
    first = _signed("Tôlerie Lyonnaise", days_ago=40)
    second = _signed("Décolletage d'Annecy", relay_slug="thesame", days_ago=5)
    with zeal_ignore():
        total = enrolment_aid_equivalent(first) + enrolment_aid_equivalent(second)
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:deminimis_register")
    one = client.get(url).content.decode()
    two = client.get(url, {"page": "2"}).content.decode()
    caption = f"2 aides accordées, {eur(total)} au total"
    assert caption in one and caption in two
    assert "Page 1 sur 2" in one and "Page 2 sur 2" in two
    assert "Tôlerie Lyonnaise" in one and "Décolletage" not in one
    assert "Décolletage" in two and "Tôlerie Lyonnaise" not in two


def test_the_whole_programmes_count_is_the_databases_tally_of_granted_aids(client):
    """Without a filter the Region's count reads the tallies the database keeps per tariff;
    they follow every write that grants an aid or takes it back, however it is made."""
    lyon = _signed("Tôlerie Lyonnaise")
    annecy = _signed("Décolletage d'Annecy", relay_slug="thesame")
    with zeal_ignore():
        ciblee, approfondie = (
            tariff_in_force(offer=Offer.objects.get(code=c)) for c in ("ciblee", "approfondie")
        )

    def counted() -> dict:
        granted = Enrolment.objects.filter(signed_at__isnull=False, tariff__isnull=False)
        return dict(granted.values("tariff").annotate(n=Count("pk")).values_list("tariff", "n"))

    def tallied() -> dict:
        return dict(GrantedAidTally.objects.filter(granted__gt=0).values_list("tariff", "granted"))

    assert tallied() == counted() == {lyon.tariff_id: 2}
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:deminimis_register")
    assert "2 aides accordées" in client.get(url).content.decode()
    Enrolment.objects.filter(pk=lyon.pk).update(
        tariff=approfondie if lyon.tariff == ciblee else ciblee
    )
    assert tallied() == counted() and sum(tallied().values()) == 2
    Enrolment.objects.filter(pk=annecy.pk).update(signed_at=None)
    assert tallied() == counted() and sum(tallied().values()) == 1
    assert "1 aide accordée" in client.get(url).content.decode()
