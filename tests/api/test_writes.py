"""Writes go through the portal's services: same rules, French field-level 400s, roles."""

import pytest
from zeal import zeal_ignore

from enrolment import actions
from enrolment.models import EnrolmentState
from tests.builders import advance

pytestmark = pytest.mark.django_db

S = EnrolmentState


def _offer_chosen(enrolment):
    with zeal_ignore():  # set-up: the journey the way the portal makes it
        return advance(enrolment, S.OFFER_CHOSEN)


def test_staff_validates_through_the_validate_action(world, token_client):
    e = _offer_chosen(world["e_lyon"])
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{e.pk}/actions/validate/", {"version": e.version}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "validated"
    e.refresh_from_db()
    assert e.state == S.VALIDATED and e.validated_at is not None


def test_refused_action_is_400_with_french_message(world, token_client):
    e = world["e_lyon"]  # still a draft
    client = token_client(world["users"]["relay_staff"])
    response = client.post(f"/api/v1/enrolments/{e.pk}/actions/close/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "« Clôturer la mission » n'est pas possible : l'inscription est à l'état « Brouillon »."
        ]
    }


def test_a_stale_version_is_refused_like_the_page(world, token_client):
    e = _offer_chosen(world["e_lyon"])
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{e.pk}/actions/validate/", {"version": e.version - 1}, format="json"
    )
    assert response.status_code == 400
    assert "modifiée entre-temps" in response.json()["non_field_errors"][0]


def test_withdrawal_without_reason_is_400_under_the_field(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    response = client.post(f"/api/v1/enrolments/{world['e_lyon'].pk}/actions/withdraw/")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Indiquez le motif de l'abandon."]}


def test_there_is_no_free_target_state(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    base = f"/api/v1/enrolments/{world['e_lyon'].pk}"
    assert client.post(f"{base}/transition/", {"to": "validated"}).status_code == 404
    assert client.post(f"{base}/actions/teleport/", {}).status_code == 404


@pytest.mark.parametrize("role", ["region", "consultant", "trainer"])
def test_roles_that_may_not_act_get_403(world, token_client, role):
    client = token_client(world["users"][role])
    response = client.post(
        f"/api/v1/enrolments/{world['e_annecy'].pk}/actions/withdraw/", {"reason": "x"}
    )
    assert response.status_code == 403
    assert world["e_annecy"].state == S.DRAFT


def test_staff_action_on_another_relays_enrolment_is_404(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    response = client.post(
        f"/api/v1/enrolments/{world['e_annecy'].pk}/actions/withdraw/", {"reason": "x"}
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
    with zeal_ignore():
        actions.submit(enrolment=world["e_lyon"], by=world["users"]["owner"])
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
    response = client.post(f"/api/v1/enrolments/{world['e_lyon'].pk}/actions/submit/")
    assert response.status_code == 200, response.content
    # eligibility is evaluated at once: Lyon Usinage gave no turnover (kept, with the reason)
    assert response.json()["state"] == "ineligible"
    assert response.json()["submitted_at"] is not None
    world["e_lyon"].refresh_from_db()
    assert "chiffre d'affaires" in world["e_lyon"].eligibility[0]["reason"]


def test_owner_chooses_the_offer_with_the_pages_messages(world, token_client):
    e = world["e_lyon"]
    with zeal_ignore():
        advance(e, S.DIAGNOSED)
    client = token_client(world["users"]["owner"])
    url = f"/api/v1/enrolments/{e.pk}/actions/choose-offer/"
    pilot = {
        "first_name": "Karim",
        "last_name": "Benali",
        "job_title": "Chef d'atelier",
        "email": "k.benali@lyon-usinage.test",
    }
    refused = client.post(url, {"offer": "approfondie", "pilots": [pilot]}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "pilots": [
            "L'offre « Performance approfondie » demande 2 pilote(s) interne(s) : indiquez-les."
        ]
    }
    unknown = client.post(url, {"offer": "nope", "pilots": [pilot]}, format="json")
    assert unknown.status_code == 400 and "offer" in unknown.json()
    response = client.post(
        url, {"offer": "ciblee", "pilots": [pilot], "problem_theme": "stocks"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "offer_chosen"
    assert response.json()["offer"] == "ciblee"
    assert [p["last_name"] for p in response.json()["pilots"]] == ["Benali"]
