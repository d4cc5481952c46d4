"""The owner's de minimis declaration, the relay's correction, and the ceiling at validation:
page, API and selection all refuse an offer above the ceiling, with the figures in French."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from zeal import zeal_ignore

from api.services import api_token_create
from catalogue.models import DeMinimisRegulation, Offer
from catalogue.pricing import enrolment_aid_equivalent
from core.exceptions import BusinessRuleError
from core.models import User
from core.money import format_eur
from core.personal_data import person_anonymise, person_find, personal_data_collect
from diagnostics.models import Theme
from enrolment import actions, deminimis, services
from enrolment.models import DeclaredAid, DeMinimisDeclaration, Enrolment, EnrolmentState
from tests.builders import enrolment_at, pilot, relay_staff_for
from tests.factories import UserFactory

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


def test_personal_data_export_and_anonymisation_cover_the_declarations():
    """The owner's export holds every version of the declaration and the ones they made; a
    relay's export, the corrections they made; anonymising the owner scrubs their name from
    the correction's reason and from an aid declared for their sole-trader business, and keeps
    every amount and date (the ceiling check reads the same)."""
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        owner = enrolment.company.owner
        User.objects.filter(pk=owner.pk).update(
            first_name="Jeanne", last_name="Dufourcq", email="jeanne.dufourcq@pme.example"
        )
        owner.refresh_from_db()
        staff = relay_staff_for(enrolment)
        sole_trader = {**_aid("12000.00"), "beneficiary": "Jeanne Dufourcq EI"}
        deminimis.declaration_save(enrolment=enrolment, by=owner, aids=[sole_trader])
        deminimis.declaration_save(
            enrolment=enrolment,
            by=staff,
            aids=[{**sole_trader, "amount": Decimal("15000.00")}],
            reason="Montant corrigé après l'appel de Jeanne Dufourcq",
        )
        headroom_before = deminimis.assessment(enrolment).headroom

    exported = personal_data_collect(person_find(owner.email))
    (company,) = exported["companies_owned"]
    (declared,) = [e for e in company["enrolments"] if e["id"] == enrolment.pk]
    versions = declared["deminimis_declarations"]
    assert [(v["version"], v["is_correction"]) for v in versions] == [(2, True), (1, False)]
    assert versions[0]["aids"] == [
        {
            "beneficiary": "Jeanne Dufourcq EI",
            "granting_body": "Bpifrance",
            "granted_on": sole_trader["granted_on"].isoformat(),
            "amount": "15000.00",
            "regulation": "Règlement (UE) 2023/2831",
        }
    ]
    assert [d["version"] for d in exported["deminimis_declarations_made"]] == [1]
    made_by_staff = personal_data_collect(person_find(staff.email))["deminimis_declarations_made"]
    assert [(d["enrolment_id"], d["version"], d["reason"]) for d in made_by_staff] == [
        (enrolment.pk, 2, "Montant corrigé après l'appel de Jeanne Dufourcq")
    ]

    with zeal_ignore():
        person_anonymise(email=owner.email, by=UserFactory(director=True), reason="Demande")
    texts = list(DeMinimisDeclaration.objects.values_list("reason", flat=True)) + [
        f"{a.beneficiary} {a.granting_body}" for a in DeclaredAid.objects.all()
    ]
    assert texts and not [t for t in texts if "Dufourcq" in t]
    assert f"Personne anonymisée n° {owner.pk}" in " ".join(texts)
    assert sorted(DeclaredAid.objects.values_list("amount", flat=True)) == [
        Decimal("12000.00"),
        Decimal("15000.00"),
    ]
    assert deminimis.assessment(enrolment).headroom == headroom_before


def test_api_enrolment_detail_shows_the_declared_aid_and_the_headroom_read_only(client):
    enrolment, aid, declared = _offer_chosen_with_declared(Decimal("1000.00"))
    with zeal_ignore():
        owner = enrolment.company.owner
        _, raw = api_token_create(user=owner, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    data = api.get(f"/api/v1/enrolments/{enrolment.pk}/").json()["deminimis"]
    today = timezone.localdate()
    assert data == {
        "regulation": "Règlement (UE) 2023/2831",
        "ceiling": "300000.00",
        "granted_on": today.isoformat(),
        "window_start": (today - relativedelta(years=3) + dt.timedelta(days=1)).isoformat(),
        "window_end": today.isoformat(),
        "declaration_version": 1,
        "declared_aids": [
            {
                "beneficiary": "Holding Dupont SAS",
                "granting_body": "Bpifrance",
                "granted_on": (today - dt.timedelta(days=200)).isoformat(),
                "amount": f"{declared:.2f}",
                "regulation": "Règlement (UE) 2023/2831",
            }
        ],
        "declared_in_window": f"{declared:.2f}",
        "programme_aid_in_window": "0.00",
        "aid_equivalent": f"{aid:.2f}",
        "headroom": "1000.00",
        "exceeds": False,
    }
    # read-only: the declaration is made on the portal, not by writing the figures
    patched = api.patch(
        f"/api/v1/enrolments/{enrolment.pk}/", {"deminimis": {"headroom": "9"}}, format="json"
    )
    assert patched.status_code in (403, 405)
    assert api.get(f"/api/v1/enrolments/{enrolment.pk}/").json()["deminimis"] == data
    # the list stays light: the check is on the detail only
    listed = api.get("/api/v1/enrolments/").json()["results"]
    assert listed and all("deminimis" not in row for row in listed)

    # documented in the schema
    client.force_login(owner)
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    detail = schema["paths"]["/api/v1/enrolments/{id}/"]["get"]["responses"]["200"]
    name = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    deminimis_ref = schema["components"]["schemas"][name]["properties"]["deminimis"]
    component = next(
        ref
        for ref in re.findall(r"#/components/schemas/\w+", json.dumps(deminimis_ref))
        if "DeMinimis" in ref
    )
    properties = schema["components"]["schemas"][component.rsplit("/", 1)[1]]["properties"]
    assert {"headroom", "aid_equivalent", "declared_aids", "ceiling"} <= set(properties)
    assert all(p.get("readOnly") for p in properties.values()) or "readOnly" in str(deminimis_ref)


def test_api_detail_of_an_aid_granted_before_the_first_regulation_has_no_check():
    """PPJ agreements signed in 1999–2004 predate de minimis regulations: null, not an error."""
    with zeal_ignore():
        enrolment = enrolment_at(S.AGREEMENT_SIGNED)
        Enrolment.objects.filter(pk=enrolment.pk).update(
            signed_at=timezone.make_aware(dt.datetime(2003, 5, 12, 10, 0))
        )
        _, raw = api_token_create(user=relay_staff_for(enrolment), name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get(f"/api/v1/enrolments/{enrolment.pk}/")
    assert response.status_code == 200
    assert response.json()["deminimis"] is None
