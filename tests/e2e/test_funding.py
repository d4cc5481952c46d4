"""In Chromium: relay staff record a company payment; the Region sees its dashboard and charts."""

import re

import pytest
from zeal import zeal_ignore

from core.models import Relay
from core.roles import Role
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"


def test_relay_staff_record_a_company_payment_and_see_the_balance_change(page, login):
    afpi = Relay.objects.get(slug="afpi")
    with zeal_ignore():
        staff = staff_user(afpi)
        enrolment = signed_enrolment(company=company(relay=afpi), staff=staff)
    login(staff.email, PASSWORD)
    page.get_by_role("link", name="Comptabilité").first.click()
    balance_411 = page.locator('#balances tr[data-account="411"] .balance')
    assert "2\u202f928,00" in balance_411.inner_text()
    page.get_by_role("link", name="Enregistrer un paiement").click()
    page.get_by_label("Nature du paiement").select_option("company")
    page.get_by_label("Montant (EUR)").fill("1 000,00")
    page.get_by_label("Référence").fill("VIR-0042")
    page.get_by_label("Entreprise").select_option(str(enrolment.company_id))
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.wait_for_load_state()
    assert "Paiement enregistré" in page.content()
    assert "1\u202f928,00" in page.locator("#statement-balance").inner_text()
    page.get_by_role("link", name=re.compile("Comptabilité Afpi")).click()
    assert "1\u202f928,00" in balance_411.inner_text()
    assert "1\u202f000,00" in page.locator('#balances tr[data-account="512"] .balance').inner_text()


def test_the_region_lands_on_the_dashboard_and_sees_its_charts(page, login):
    with zeal_ignore():
        region = UserFactory(role=Role.REGION, email="region-e2e@test.example")
        signed_enrolment(company=company(relay=Relay.objects.get(slug="cci")))
    login(region.email, PASSWORD)
    assert page.url.endswith("/tableau-de-bord/")  # the Region lands on its dashboard
    assert page.locator(".chart svg").count() >= 3  # milestones, relays, funders
    assert "CCI" in page.locator("#table-by_relay").inner_text()
    money = page.locator("#table-money").inner_text()
    assert "4\u202f000,00" in money and "2\u202f440,00" in money  # Region aid, contribution
