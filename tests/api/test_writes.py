"""Writes go through the portal's services: same rules, French field-level 400s, roles."""

import pytest
from zeal import zeal_ignore

from enrolment.models import EnrolmentState
from enrolment.services import enrolment_transition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentState


def _advance(enrolment, *states):
    admin = UserFactory(admin=True, email="advance-admin@test.example")
    with zeal_ignore():  # set-up: moving through states the way the portal does
        for state in states:
            enrolment_transition(enrolment=enrolment, to=state, by=admin, reason="test")


def test_staff_validates_through_the_transition_action(world, token_client):
    e = world["e_lyon"]
    _advance(e, S.SUBMITTED, S.ELIGIBLE, S.DIAGNOSED, S.OFFER_CHOSEN)
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{e.pk}/transition/", {"to": "validated"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "validated"
    e.refresh_from_db()
    assert e.state == S.VALIDATED and e.validated_at is not None


def test_refused_transition_is_400_with_french_message(world, token_client):
    e = world["e_lyon"]  # still a draft
    client = token_client(world["users"]["relay_staff"])
    response = client.post(f"/api/v1/enrolments/{e.pk}/transition/", {"to": "closed"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Impossible de passer de l'état « Brouillon » à l'état « Clôturée »."]
    }


def test_withdrawal_without_reason_is_400_under_the_field(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{world['e_lyon'].pk}/transition/", {"to": "withdrawn"}
    )
    assert response.status_code == 400
    assert response.json() == {"reason": ["Indiquez le motif de l'abandon."]}


def test_unknown_state_is_400_under_to(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    response = client.post(f"/api/v1/enrolments/{world['e_lyon'].pk}/transition/", {"to": "x"})
    assert response.status_code == 400
    assert "to" in response.json()


@pytest.mark.parametrize("role", ["region", "consultant", "trainer"])
def test_roles_that_may_not_act_get_403(world, token_client, role):
    client = token_client(world["users"][role])
    response = client.post(
        f"/api/v1/enrolments/{world['e_annecy'].pk}/transition/",
        {"to": "withdrawn", "reason": "x"},
    )
    assert response.status_code == 403
    assert world["e_annecy"].state == S.DRAFT


def test_staff_transition_on_another_relays_enrolment_is_404(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{world['e_annecy'].pk}/transition/",
        {"to": "withdrawn", "reason": "x"},
    )
    assert response.status_code == 404


def test_owner_corrects_identity_of_a_draft(world, token_client):
    client = token_client(world["users"]["owner"])
    url = f"/api/v1/companies/{world['lyon'].pk}/"
    # the enrolment form's own rules apply: turnover or balance sheet is required
    refused = client.patch(url, {"headcount": 55}, format="json")
    assert refused.status_code == 400
    assert "chiffre d'affaires" in refused.json()["turnover"][0]
    response = client.patch(
        url, {"headcount": 55, "city": "Lyon", "turnover": "1 200 000,00"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["headcount"] == 55
    world["lyon"].refresh_from_db()
    assert world["lyon"].city == "Lyon"


def test_owner_cannot_change_identity_once_submitted(world, token_client):
    _advance(world["e_lyon"], S.SUBMITTED)
    client = token_client(world["users"]["owner"])
    response = client.patch(
        f"/api/v1/companies/{world['lyon'].pk}/", {"headcount": 55, "turnover": "1000000"}
    )
    assert response.status_code == 400
    assert "contactez votre structure relais" in response.json()["non_field_errors"][0]
    world["lyon"].refresh_from_db()
    assert world["lyon"].headcount == 40


def test_bad_identity_input_is_400_per_field(world, token_client):
    client = token_client(world["users"]["owner"])
    response = client.patch(
        f"/api/v1/companies/{world['lyon'].pk}/",
        {"headcount": -1, "postcode": "1234567"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"headcount", "postcode", "turnover"}
    assert "supérieure ou égale à" in body["headcount"][0]


@pytest.mark.parametrize("role", ["relay_staff", "region", "director"])
def test_other_roles_cannot_patch_companies(world, token_client, role):
    client = token_client(world["users"][role])
    response = client.patch(f"/api/v1/companies/{world['lyon'].pk}/", {"headcount": 1})
    assert response.status_code == 403


def test_owner_cannot_patch_another_company(world, token_client):
    client = token_client(world["users"]["owner"])
    response = client.patch(f"/api/v1/companies/{world['annecy'].pk}/", {"headcount": 1})
    assert response.status_code == 404


def test_owner_submits_their_draft_through_the_api(world, token_client):
    client = token_client(world["users"]["owner"])
    response = client.post(
        f"/api/v1/enrolments/{world['e_lyon'].pk}/transition/", {"to": "submitted"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert response.json()["submitted_at"] is not None
