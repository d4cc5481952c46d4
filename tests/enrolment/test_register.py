"""Pre-filling from the company register, and a register that does not answer."""

import time

import pytest
from django.urls import reverse

from enrolment.company_register import company_register_lookup
from enrolment.models import Enrolment
from tests.enrolment.conftest import REGISTER_SIRET
from tests.factories import UserFactory


def test_lookup_reads_the_register_format(company_register):
    data = company_register_lookup(REGISTER_SIRET)
    assert data == {
        "name": "DECOLLETAGE DU MONT-BLANC",
        "address": "12 RUE DES ARTISANS",
        "postcode": "74300",
        "city": "CLUSES",
        "naf_code": "25.62B",
        "headcount_band": "20 à 49 salariés",
    }


def test_lookup_gives_up_after_the_timeout(silent_register):
    started = time.monotonic()
    assert company_register_lookup(REGISTER_SIRET) is None
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_siret_step_prefills_the_company(client, company_register):
    client.force_login(UserFactory())
    response = client.post(reverse("enrolment:start"), {"siret": REGISTER_SIRET}, follow=True)
    enrolment = Enrolment.objects.get(company__siret=REGISTER_SIRET)
    assert response.redirect_chain[-1][0] == reverse("enrolment:company", args=[enrolment.pk])
    html = response.content.decode()
    assert 'value="DECOLLETAGE DU MONT-BLANC"' in html and 'value="74300"' in html
    assert "20 à 49 salariés" in html
    assert enrolment.company.relay.slug == "thesame"


@pytest.mark.django_db
def test_siret_step_works_when_the_register_is_silent(client, silent_register):
    client.force_login(UserFactory())
    response = client.post(reverse("enrolment:start"), {"siret": REGISTER_SIRET}, follow=True)
    assert response.status_code == 200
    enrolment = Enrolment.objects.get(company__siret=REGISTER_SIRET)
    assert response.redirect_chain[-1][0] == reverse("enrolment:company", args=[enrolment.pk])
    assert enrolment.company.naf_code == ""  # the owner types it
