"""A token sees exactly what its user sees in the portal, and a foreign id is a 404."""

import pytest

from consultants.models import Expert, Mission
from core.models import Relay
from enrolment.models import Company, Enrolment

pytestmark = pytest.mark.django_db

RESOURCES = {
    "relays": Relay,
    "companies": Company,
    "enrolments": Enrolment,
    "experts": Expert,
    "missions": Mission,
}
ROLES = ["owner", "relay_staff", "consultant", "trainer", "director", "region", "admin"]


def _ids(client, resource):
    response = client.get(f"/api/v1/{resource}/", {"page_size": 200})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_token_sees_exactly_what_the_portal_shows(world, token_client, role):
    user = world["users"][role]
    client = token_client(user)
    for resource, model in RESOURCES.items():
        expected = set(model.objects.visible_to(user).values_list("pk", flat=True))
        assert _ids(client, resource) == expected, resource


@pytest.mark.parametrize(
    ("role", "foreign"),
    [
        ("owner", ["companies:annecy", "enrolments:e_annecy", "missions:mission"]),
        ("relay_staff", ["companies:annecy", "enrolments:e_annecy", "missions:mission"]),
        ("consultant", ["companies:lyon", "enrolments:e_lyon"]),
    ],
)
def test_another_relays_objects_are_404(world, token_client, role, foreign):
    client = token_client(world["users"][role])
    for item in foreign:
        resource, key = item.split(":")
        response = client.get(f"/api/v1/{resource}/{world[key].pk}/")
        assert response.status_code == 404, item


def test_relay_staff_reads_own_relay_objects(world, token_client):
    client = token_client(world["users"]["relay_staff"])
    body = client.get(f"/api/v1/companies/{world['lyon'].pk}/").json()
    assert body["name"] == "Lyon Usinage"
    assert body["relay"] == "afpi"
    foreign_relay = Relay.objects.get(slug="thesame")
    assert client.get(f"/api/v1/relays/{foreign_relay.pk}/").status_code == 404


def test_consultant_sees_only_themselves_in_the_pool(world, token_client):
    user = world["users"]["consultant"]
    rows = token_client(user).get("/api/v1/experts/").json()["results"]
    assert [r["email"] for r in rows] == [user.email]


def test_reference_data_is_readable_by_every_role(world, token_client):
    client = token_client(world["users"]["owner"])
    offers = client.get("/api/v1/offers/").json()["results"]
    ciblee = next(o for o in offers if o["code"] == "ciblee")
    assert ciblee["tariffs"][0]["company_contribution_ht"] == "2440.00"
    assert client.get("/api/v1/departements/74/").json()["default_relay"] == "thesame"


def test_no_credentials_is_401(world, client):
    response = client.get("/api/v1/companies/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
