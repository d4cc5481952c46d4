"""The ledger pages, payments through the page, the Region's dashboard and its exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from zeal import zeal_ignore

from catalogue.models import Offer
from core.models import Departement, Relay
from enrolment.models import Company, Enrolment
from funding.models import AidInstalment, Payment
from tests.factories import UserFactory, valid_siret

from .factories import company, consultant, log_half_day, signed_enrolment, staff_user, withdraw

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def afpi():
    return Relay.objects.get(slug="afpi")


@pytest.fixture
def staff(afpi):
    return staff_user(afpi)


@pytest.fixture
def signed(afpi, staff):
    return signed_enrolment(company=company(relay=afpi), staff=staff)


def test_relay_staff_see_their_ledger_and_not_another_relays(client, afpi, staff, signed):
    client.force_login(staff)
    page = client.get(reverse("funding:ledger", args=[afpi.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "411</span> Entreprises" in html and "2\u202f928,00" in html
    assert client.get(reverse("funding:ledger", args=["cci"])).status_code == 404
    assert client.get(reverse("funding:ledger_index")).url.endswith(f"/comptabilite/{afpi.slug}/")


def test_owners_and_consultants_may_not_open_a_ledger(client, afpi, signed):
    client.force_login(signed.company.owner)
    assert client.get(reverse("funding:ledger", args=[afpi.slug])).status_code == 403
    assert client.get(reverse("reporting:dashboard")).status_code == 403


def test_a_payment_through_the_page_changes_the_company_balance(client, afpi, staff, signed):
    client.force_login(staff)
    url = reverse("funding:payment_create", args=[afpi.slug])
    response = client.post(
        url,
        {
            "kind": "company",
            "date": timezone.localdate().isoformat(),
            "amount": "1 000,00",
            "reference": "VIR 2026-001",
            "company": signed.company_id,
        },
    )
    assert response.status_code == 302
    statement = client.get(response.url)
    assert "1\u202f928,00" in statement.content.decode()  # 2,928 − 1,000 still due
    assert Payment.objects.get().entry.author == staff


def test_bad_payments_get_french_messages_and_keep_what_was_typed(client, afpi, staff, signed):
    client.force_login(staff)
    url = reverse("funding:payment_create", args=[afpi.slug])
    data = {
        "kind": "company",
        "date": timezone.localdate().isoformat(),
        "amount": "-5",
        "reference": "CHQ 77",
        "company": signed.company_id,
    }
    html = client.post(url, data).content.decode()
    assert "strictement positif" in html and 'value="CHQ 77"' in html
    data["amount"] = "5 000,00"
    html = client.post(url, data).content.decode()
    assert "dépasse le restant dû (2\u202f928,00\xa0€)" in html and 'value="5 000,00"' in html
    assert not Payment.objects.exists()


def test_the_region_cannot_record_a_payment(client, afpi, signed):
    client.force_login(UserFactory(region=True))
    url = reverse("funding:payment_create", args=[afpi.slug])
    assert client.get(url).status_code == 403
    assert client.get(reverse("funding:ledger", args=[afpi.slug])).status_code == 200


def test_the_journal_filters_traces_and_exports(client, afpi, staff, signed):
    expert = consultant()
    log_half_day(signed, expert)
    client.force_login(staff)
    url = reverse("funding:journal", args=[afpi.slug])
    html = client.get(url, {"account": "604"}).content.decode()
    # the origin in words, the account's name next to its number; no event code shown
    assert "Demi-journée de conseil réalisée" in html and "écriture automatique" in html
    assert "604</span> Honoraires de conseil" in html
    assert "mission.halfday_logged" not in html and "<code>" not in html
    assert "44571" not in html.split("<tbody>")[1]
    html = client.get(url, {"company": signed.company_id}).content.decode()
    assert "Convention signée" in html
    csv_text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("N°;Date;Libellé;Compte")
    assert "2928,00" in csv_text
    xlsx = client.get(url, {"format": "xlsx", "account": "411"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 5).value == 2928


def test_the_journal_reads_the_relay_once_for_the_page_and_its_frame(client, afpi, staff):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("funding:journal", args=[afpi.slug])).content.decode()
    assert f"— {afpi.name}</h2>" in html  # the account menu names the relay
    assert len([q for q in ctx.captured_queries if 'FROM "core_relay"' in q["sql"]]) == 1


def test_period_close_through_the_page(client, afpi, staff):
    client.force_login(staff)
    until = timezone.localdate() - dt.timedelta(days=1)
    url = reverse("funding:period_close", args=[afpi.slug])
    # the first step only asks for confirmation: nothing is closed yet
    step = client.post(url, {"until": until.isoformat()})
    assert step.status_code == 200
    html = step.content.decode()
    assert "Confirmer la clôture" in html and "La clôture est définitive" in html
    assert 'name="confirm" value="1"' in html
    ledger = client.get(reverse("funding:ledger", args=[afpi.slug])).content.decode()
    assert "Aucune période clôturée." in ledger
    response = client.post(url, {"until": until.isoformat(), "confirm": "1"})
    assert response.status_code == 302
    html = client.get(reverse("funding:ledger", args=[afpi.slug])).content.decode()
    assert f"clôturés jusqu'au {until:%d/%m/%Y}" in html


def test_the_region_approves_instalments_in_bulk_from_the_page(client, afpi, staff, signed):
    region = UserFactory(region=True)
    client.force_login(region)
    ids = list(AidInstalment.objects.filter(status="due").values_list("pk", flat=True))
    response = client.post(reverse("funding:instalments"), {"instalment": ids, "confirm": "1"})
    assert response.status_code == 302
    assert AidInstalment.objects.get(pk=ids[0]).status == "approved"
    client.force_login(staff)
    assert client.post(reverse("funding:instalments"), {"instalment": ids}).status_code == 403


def test_the_region_lands_on_the_dashboard_with_its_charts(client, signed):
    client.force_login(UserFactory(region=True))
    response = client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:dashboard")
    html = response.content.decode()
    assert "<svg" in html
    assert "/ 2\xa0000" in html  # the 2,000 target


def test_dashboard_shows_every_table_with_charts_and_exports_them(client, afpi, staff, signed):
    other = signed_enrolment(company=company(relay=Relay.objects.get(slug="cci")))
    withdraw(other, staff=staff_user(other.company.relay))
    region = UserFactory(region=True)
    client.force_login(region)
    response = client.get(reverse("reporting:dashboard"))
    html = response.content.decode()
    # the decision-oriented tables are drawn; the others are offered as exports only
    for key in ["milestones", "by_relay", "funders"]:
        section = html[html.index(f'<section class="card mb-4" id="table-{key}"') :]
        assert "<svg" in section[: section.index("</section>")], key
    for key in [
        "milestones",
        "by_relay",
        "by_departement",
        "by_offer",
        "by_state",
        "money",
        "funders",
        "money_detail",
        "budget",
        "utilisation",
        "withdrawals",
        "cost",
    ]:
        assert f'id="table-{key}"' in html
        assert f"export={key}&amp;format=csv" in html and f"export={key}&amp;format=xlsx" in html
        export = client.get(reverse("reporting:dashboard"), {"export": key, "format": "csv"})
        assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    xlsx = client.get(reverse("reporting:dashboard"), {"export": "money", "format": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 3
    assert "Afpi" in html and "CCI" in html
    # relay staff see the same dashboard for their relay only
    client.force_login(staff)
    html = client.get(reverse("reporting:dashboard")).content.decode()
    assert "Afpi" in html and "CCI" not in html


def test_dashboard_period_filter(client, signed):
    client.force_login(UserFactory(region=True))
    future = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.get(reverse("reporting:dashboard"), {"start": future})
    assert response.context["data"]["head"]["total"] == 0
    assert response.context["data"]["totals"]["committed"] == D("0")


def _bulk_enrolments(n: int, start: int) -> None:
    """Many enrolments in every state, written in bulk (volume for the query-count test)."""
    states = ["submitted", "eligible", "validated", "in_progress", "closed", "withdrawn"]
    relays = list(Relay.objects.all())
    dep = Departement.objects.get(code="69")
    offers = list(Offer.objects.filter(code__in=["ciblee", "approfondie"]))
    now = timezone.now()
    companies = Company.objects.bulk_create(
        [
            Company(
                siret=valid_siret(50000 + start + i),
                name=f"Volume {start + i}",
                departement=dep,
                relay=relays[i % len(relays)],
            )
            for i in range(n)
        ]
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                company=c,
                state=states[i % len(states)],
                offer=offers[i % 2],
                submitted_at=now - dt.timedelta(days=i % 300),
                signed_at=now if states[i % len(states)] in {"in_progress", "closed"} else None,
                withdrawn_at=now if states[i % len(states)] == "withdrawn" else None,
            )
            for i, c in enumerate(companies)
        ]
    )


def test_dashboard_query_count_is_the_same_for_10_and_1000_enrolments(client, signed):
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:dashboard")
    with zeal_ignore():
        _bulk_enrolments(9, 0)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with zeal_ignore():
        _bulk_enrolments(990, 100)
        expert = consultant()
        for _ in range(3):
            log_half_day(signed, expert)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["data"]["head"]["total"] == 1000
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_ledger_pages_query_count_does_not_grow_with_entries(client, afpi, staff, signed):
    expert = consultant()
    client.force_login(staff)
    urls = [
        reverse("funding:ledger", args=[afpi.slug]),
        reverse("funding:journal", args=[afpi.slug]),
        reverse("funding:company_statement", args=[afpi.slug, signed.company_id]),
        reverse("funding:consultant_statement", args=[afpi.slug, expert.pk]),
        reverse("funding:instalments"),
    ]
    log_half_day(signed, expert)
    for url in urls:
        client.get(url)

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    few = counts()
    with zeal_ignore():
        for _ in range(30):
            log_half_day(signed, expert)
        signed_enrolment(company=company(relay=afpi), staff=staff)
    assert counts() == few


def test_the_admin_shows_the_ledger_read_only(client, signed):
    client.force_login(UserFactory(admin=True))
    assert client.get("/admin/funding/journalentry/").status_code == 200
    entry_id = signed.aid_instalments.first().pk
    assert client.get(f"/admin/funding/aidinstalment/{entry_id}/change/").status_code == 200
