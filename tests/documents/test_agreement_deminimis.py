"""The agreement PDF carries the de minimis clause (regulation, aid equivalent in euros) and the
owner's declaration as an annex."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from zeal import zeal_ignore

from agreements.services import agreement_ensure_current
from catalogue.models import DeMinimisRegulation
from catalogue.pricing import enrolment_aid_equivalent
from core.money import format_eur
from enrolment import deminimis
from enrolment.models import EnrolmentState
from tests.builders import advance, enrolment_at, relay_staff_for

pytestmark = pytest.mark.django_db
S = EnrolmentState


def _text(agreement) -> str:
    with agreement.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    # PDF text extraction breaks lines anywhere: compare with whitespace normalised
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _norm(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_agreement_pdf_has_the_clause_and_the_declaration_annexed():
    with zeal_ignore():
        enrolment = enrolment_at(S.DIAGNOSED)
        regulation = DeMinimisRegulation.objects.filter(code="ue-1407-2013").first()
        deminimis.declaration_save(
            enrolment=enrolment,
            by=enrolment.company.owner,
            aids=[
                {
                    "beneficiary": "Holding Dupont SAS",
                    "granting_body": "Bpifrance Rhône-Alpes",
                    "granted_on": dt.date(2023, 5, 12),
                    "amount": Decimal("15250.00"),
                    "regulation": regulation,
                }
            ],
        )
        advance(enrolment, S.VALIDATED, staff=relay_staff_for(enrolment))
        aid = enrolment_aid_equivalent(enrolment)
        agreement = agreement_ensure_current(enrolment_id=enrolment.pk)
    text = _norm(_text(agreement))
    assert "Article 8 — Aide de minimis" in text
    assert "Règlement (UE) 2023/2831" in text  # the regulation in force today (2024 onwards)
    assert _norm(f"équivalent-subvention brut s'élève à {format_eur(aid)}") in text
    assert "Annexe — Déclaration des aides de minimis reçues" in text
    assert "Holding Dupont SAS Bpifrance" in text and "12/05/2023" in text
    assert _norm(format_eur(Decimal("15250.00"))) in text
    assert "Règlement (UE) n° 1407/2013" in text
