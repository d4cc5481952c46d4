"""The agreement PDF writes its rates the French way for every tariff in force: the Region's
advance "50 %" (never "5E+1 %"), VAT "20,00 %" (never "20.00 %"), and the relay's address."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader
from zeal import zeal_ignore

from agreements.services import agreement_ensure_current
from catalogue.models import Tariff
from core.money import format_percent
from enrolment.models import EnrolmentState
from tests.builders import enrolment_at

pytestmark = pytest.mark.django_db
S = EnrolmentState


def _pages(agreement) -> list[str]:
    with agreement.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return [
        " ".join(page.extract_text().replace("\u202f", " ").replace("\u00a0", " ").split())
        for page in reader.pages
    ]


def test_percentages_are_french_whatever_the_value():
    assert format_percent("5E+1") == "50\u00a0%"
    assert format_percent("20.00", 2) == "20,00\u00a0%"
    assert format_percent("12.50") == "12,5\u00a0%"


def _offers_in_force() -> list[str]:
    today = timezone.localdate()
    return sorted({t.offer.code for t in Tariff.objects.in_force(today).select_related("offer")})


def test_every_tariff_in_force_has_its_rates_in_french_and_the_relay_address():
    offers = _offers_in_force()
    assert len(offers) >= 2 and "ciblee" in offers
    for code in offers:
        with zeal_ignore():
            enrolment = enrolment_at(S.VALIDATED, offer=code)
            relay = enrolment.company.relay
            relay.address = "12 rue de l'Industrie\n69003 Lyon"
            relay.save(update_fields=["address"])
            agreement = agreement_ensure_current(enrolment_id=enrolment.pk)
        pages = _pages(agreement)
        text = " ".join(pages)
        assert "une avance de 50 %" in text, code
        assert "TVA au taux de 20,00 %" in text, code
        assert "E+" not in text, code
        # no decimal point inside a number (dates are 12/05/2023, amounts 2 440,00 €); the NAF
        # code (25.62B) and e-mail addresses are identifiers, not numbers
        numbers = re.sub(r"NAF \S+|\S+@\S+", "", text)
        assert not re.search(r"\d\.\d", numbers), (code, re.findall(r"\S*\d\.\d\S*", numbers))
        assert "12 rue de l'Industrie 69003 Lyon" in text, code
        # page 1 carries more than the parties: the articles start on it
        assert "Article 1 — Objet" in pages[0] and "Article 2" in pages[0], code
