"""The dashboard endpoint gives the figures of the Region's dashboard page, in the user's
scope: relay staff get their relay's."""

import pytest

from reporting.selectors import dashboard

pytestmark = pytest.mark.django_db


def _by_relay(body) -> dict:
    table = next(t for t in body["tables"] if t["key"] == "by_relay")
    return {row[0]: row[1] for row in table["rows"]}


def test_region_gets_the_dashboard_figures_of_every_relay(api_world, token_client):
    user = api_world["users"]["region"]
    response = token_client(user).get("/api/v1/dashboard/")
    assert response.status_code == 200, response.content
    body = response.json()
    page = dashboard(user=user)
    assert body["head"]["total"] == page["head"]["total"]
    assert body["head"]["goal"] == page["head"]["goal"]
    assert body["pool"] == page["pool"]
    assert body["committed_ht"] == str(page["committed_ht"])
    assert [t["key"] for t in body["tables"]] == [t.key for t in page["tables"]]
    money = next(t for t in body["tables"] if t["key"] == "money")
    assert money["headers"][0] == "Relais"


def test_relay_staff_gets_only_their_relays_figures(api_world, token_client):
    from enrolment.services import enrolment_transition

    admin = api_world["users"]["admin"]
    for key in ("e_lyon", "e_annecy"):
        enrolment_transition(enrolment=api_world[key], to="submitted", by=admin, reason="t")
    region = token_client(api_world["users"]["region"]).get("/api/v1/dashboard/").json()
    staff = token_client(api_world["users"]["relay_staff"]).get("/api/v1/dashboard/").json()
    assert region["head"]["total"] == 2 and staff["head"]["total"] == 1
    afpi, thesame = api_world["lyon"].relay.name, api_world["annecy"].relay.name
    assert _by_relay(staff) == {afpi: 1}
    assert _by_relay(region) == {afpi: 1, thesame: 1}


@pytest.mark.parametrize("role", ["owner", "consultant", "trainer"])
def test_roles_without_the_dashboard_get_403(api_world, token_client, role):
    response = token_client(api_world["users"][role]).get("/api/v1/dashboard/")
    assert response.status_code == 403


def test_a_bad_period_is_400_in_french(api_world, token_client):
    client = token_client(api_world["users"]["region"])
    response = client.get("/api/v1/dashboard/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["La date de début doit précéder la date de fin."]
    }
    bad = client.get("/api/v1/dashboard/", {"start": "demain"})
    assert bad.status_code == 400 and "date valide" in bad.json()["start"][0]
