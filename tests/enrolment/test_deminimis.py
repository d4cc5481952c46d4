"""The owner's de minimis declaration, the relay's correction, and the ceiling at validation:
page, API and selection all refuse an offer above the ceiling, with the figures in French."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from zeal import zeal_ignore

from api.services import api_token_create
from catalogue.models import DeMinimisRegulation, Offer
from catalogue.pricing import enrolment_aid_equivalent
from core.exceptions import BusinessRuleError
from core.money import format_eur
from diagnostics.models import Theme
from enrolment import actions, deminimis, services
from enrolment.models import DeMinimisDeclaration, EnrolmentState
from tests.builders import enrolment_at, pilot, relay_staff_for

pytestmark = pytest.mark.django_db
S = EnrolmentState
CEILING = Decimal("300000.00")


def _regulation():
    return DeMinimisRegulation.objects.filter(code="ue-2023-2831").first()


def _aid(amount, *, days_ago=200, body="Bpifrance"):
    return {
        "beneficiary": "Holding Dupont SAS",
        "granting_body": body,
        "granted_on": timezone.localdate() - dt.timedelta(days=days_ago),
        "amount": Decimal(amount),
        "regulation": _regulation(),
    }


def _offer_chosen_with_declared(amount_left_after_offer: Decimal):
    """An enrolment at offer_chosen whose declared aid leaves `amount_left_after_offer` (may be
    negative) under the ceiling once its offer's aid equivalent is added."""
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        aid = enrolment_aid_equivalent(enrolment)
        declared = CEILING - aid - amount_left_after_offer
        deminimis.declaration_save(
            enrolment=enrolment,
            by=relay_staff_for(enrolment),
            aids=[_aid(declared)],
            reason="Aide Bpifrance signalée par l'expert-comptable.",
        )
    return enrolment, aid, declared


def test_exactly_reaching_the_ceiling_validates():
    enrolment, _, _ = _offer_chosen_with_declared(Decimal("0.00"))
    actions.validate(enrolment=enrolment, by=relay_staff_for(enrolment))
    assert enrolment.state == S.VALIDATED


def test_one_cent_over_the_ceiling_is_refused_with_the_figures_in_french():
    enrolment, aid, declared = _offer_chosen_with_declared(Decimal("-0.01"))
    with pytest.raises(BusinessRuleError) as refused:
        actions.validate(enrolment=enrolment, by=relay_staff_for(enrolment))
    message = refused.value.message
    assert "Plafond de minimis dépassé" in message
    assert format_eur(aid) in message and format_eur(declared) in message
    assert "300\u202f000,00\u00a0€" in message and "0,01\u00a0€" in message
    assert "Règlement (UE) 2023/2831" in message
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN and enrolment.vat_rate is None


def test_validation_page_refuses_above_the_ceiling(client):
    enrolment, _, _ = _offer_chosen_with_declared(Decimal("-0.01"))
    client.force_login(relay_staff_for(enrolment))
    response = client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
        follow=True,
    )
    assert "Plafond de minimis dépassé" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN
    # the selection (batch) goes through the same action
    client.post(
        reverse("enrolment:staff_bulk"), {"action": "validate", "selection": [enrolment.pk]}
    )
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN


def test_api_validate_refuses_above_the_ceiling():
    enrolment, _, _ = _offer_chosen_with_declared(Decimal("-0.01"))
    _, raw = api_token_create(user=relay_staff_for(enrolment), name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post(
        f"/api/v1/enrolments/{enrolment.pk}/actions/validate/",
        {"version": enrolment.version},
        format="json",
    )
    assert response.status_code == 400
    assert "Plafond de minimis dépassé" in response.json()["non_field_errors"][0]
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN


def test_aid_that_left_the_rolling_window_no_longer_counts():
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        old = _aid(CEILING, days_ago=4 * 365)  # granted more than three years ago
        deminimis.declaration_save(
            enrolment=enrolment, by=relay_staff_for(enrolment), aids=[old], reason="Reprise."
        )
    actions.validate(enrolment=enrolment, by=relay_staff_for(enrolment))
    assert enrolment.state == S.VALIDATED


def test_programme_aid_already_granted_to_the_company_counts():
    with zeal_ignore():
        first = enrolment_at(S.AGREEMENT_SIGNED)
        actions.withdraw(enrolment=first, by=first.company.owner, reason="Cession.")
        second = enrolment_at(S.OFFER_CHOSEN, company=first.company)
        granted = enrolment_aid_equivalent(first)
    check = deminimis.assessment(second)
    assert check.previous == granted > 0
    assert check.headroom == CEILING - check.previous - check.aid_equivalent


def test_owner_declares_then_relay_corrects_with_a_reason_as_a_new_version(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.DIAGNOSED)
    owner = enrolment.company.owner
    client.force_login(owner)
    url = reverse("enrolment:deminimis", args=[enrolment.pk])
    page = client.get(url).content.decode()
    assert "Aides de minimis déjà reçues" in page and "entreprise unique" in page
    granted = timezone.localdate() - dt.timedelta(days=100)
    data = {
        "aid-TOTAL_FORMS": "3",
        "aid-INITIAL_FORMS": "0",
        "aid-0-beneficiary": "Holding Dupont SAS",
        "aid-0-granting_body": "Bpifrance",
        "aid-0-granted_on": granted.isoformat(),
        "aid-0-amount": "12 500,00",
        "aid-0-regulation": str(_regulation().pk),
        "aid-1-regulation": str(_regulation().pk),  # a blank row (the default regulation)
        "aid-2-regulation": str(_regulation().pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    first = deminimis.current_declaration(enrolment)
    assert first.version == 1 and not first.is_correction and first.declared_by == owner
    assert [(a.granting_body, a.amount) for a in first.aids.all()] == [
        ("Bpifrance", Decimal("12500.00"))
    ]
    offer_page = client.get(reverse("enrolment:offer", args=[enrolment.pk])).content.decode()
    assert "Marge restante sous le plafond" in offer_page
    assert format_eur(CEILING - Decimal("12500.00")) in offer_page  # before any offer

    # the relay corrects: the reason is required, then a new version; version 1 is unchanged
    staff = relay_staff_for(enrolment)
    client.force_login(staff)
    correction_url = reverse("enrolment:staff_deminimis", args=[enrolment.pk])
    data["aid-0-amount"] = "125 000,00"
    refused = client.post(correction_url, data)
    assert refused.status_code == 400 and DeMinimisDeclaration.objects.count() == 1
    response = client.post(correction_url, {**data, "reason": "Montant erroné (125 k€)."})
    assert response.status_code == 302
    versions = deminimis.declaration_history(enrolment)
    assert [(d.version, d.is_correction) for d in versions] == [(2, True), (1, False)]
    assert versions[0].reason == "Montant erroné (125 k€)." and versions[0].declared_by == staff
    assert versions[1].aids.get().amount == Decimal("12500.00")
    assert deminimis.headroom_before(enrolment).declared == Decimal("125000.00")
    page = client.get(correction_url).content.decode()
    assert "Montant erroné" in page and "Version 1" in page and "Version 2" in page
    detail = client.get(reverse("enrolment:staff_detail", args=[enrolment.pk])).content.decode()
    assert "Marge restante sous le plafond" in detail
    assert format_eur(CEILING - Decimal("125000.00")) in detail


def test_owner_may_not_change_the_declaration_after_validation():
    with zeal_ignore():
        enrolment = enrolment_at(S.VALIDATED)
    with pytest.raises(BusinessRuleError, match="structure relais"):
        deminimis.declaration_save(
            enrolment=enrolment, by=enrolment.company.owner, aids=[_aid("1000")]
        )
    with pytest.raises(BusinessRuleError, match="motif"):
        deminimis.declaration_save(
            enrolment=enrolment, by=relay_staff_for(enrolment), aids=[_aid("1000")]
        )


def test_review_page_shows_the_declaration_and_the_headroom_after_the_offer(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.DIAGNOSED)
        owner = enrolment.company.owner
        deminimis.declaration_save(enrolment=enrolment, by=owner, aids=[_aid("20000.00")])
        offer = Offer.objects.filter(code="ciblee").first()
        services.enrolment_offer_save(
            enrolment=enrolment,
            by=owner,
            offer=offer,
            pilots=[pilot(1, enrolment.pk)],
            problem_theme=Theme.objects.filter(code="stocks").first(),
            expected_version=enrolment.version,
        )
        enrolment.refresh_from_db()
        aid = enrolment_aid_equivalent(enrolment)
    client.force_login(owner)
    page = client.get(reverse("enrolment:review", args=[enrolment.pk])).content.decode()
    assert "Aides de minimis" in page and "Holding Dupont SAS" in page
    assert format_eur(CEILING - Decimal("20000.00") - aid) in page
