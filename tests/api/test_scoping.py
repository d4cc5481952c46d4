"""A token sees exactly what its user sees in the portal, and a foreign id is a 404."""

import pytest

from consultants.models import ActionPlan, Expert, Indicator, Mission
from core.models import Relay
from diagnostics.models import Diagnosis
from enrolment.models import Company, Enrolment
from funding.models import Account, JournalEntry

pytestmark = pytest.mark.django_db

RESOURCES = {
    "relays": Relay,
    "companies": Company,
    "enrolments": Enrolment,
    "experts": Expert,
    "missions": Mission,
    # issue 8: only submitted diagnoses are results
    "diagnoses": Diagnosis.objects.submitted,
    "action-plans": ActionPlan,
    "indicators": Indicator,
    "ledger-entries": JournalEntry,
    "balances": Account,
}
ROLES = ["owner", "relay_staff", "consultant", "trainer", "director", "region", "admin"]


def _ids(client, resource):
    response = client.get(f"/api/v1/{resource}/", {"page_size": 200})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_token_sees_exactly_what_the_portal_shows(api_world, token_client, role):
    user = api_world["users"][role]
    client = token_client(user)
    for resource, source in RESOURCES.items():
        queryset = source.objects.all() if hasattr(source, "objects") else source()
        expected = set(queryset.visible_to(user).values_list("pk", flat=True))
        assert _ids(client, resource) == expected, resource


@pytest.mark.parametrize(
    ("role", "foreign"),
    [
        (
            "owner",
            ["companies:annecy", "enrolments:e_annecy", "missions:mission"]
            + ["diagnoses:diag_annecy", "action-plans:plan", "indicators:indicator"]
            + ["ledger-entries:entry_lyon"],
        ),
        (
            "relay_staff",
            ["companies:annecy", "enrolments:e_annecy", "missions:mission"]
            + ["diagnoses:diag_annecy", "action-plans:plan", "indicators:indicator"]
            + ["ledger-entries:entry_annecy"],
        ),
        ("consultant", ["companies:lyon", "enrolments:e_lyon", "diagnoses:diag_lyon"]),
    ],
)
def test_another_relays_objects_are_404(api_world, token_client, role, foreign):
    world = api_world
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


def test_relay_staff_sees_only_their_relays_ledger_and_balances(api_world, token_client):
    client = token_client(api_world["users"]["relay_staff"])
    entries = client.get("/api/v1/ledger-entries/").json()["results"]
    assert [e["label"] for e in entries] == ["Acompte lyon"]
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in entries[0]["lines"]] == [
        ("512", "100.00", "0.00"),
        ("411", "0.00", "100.00"),
    ]
    balances = client.get("/api/v1/balances/", {"code": "512"}).json()["results"]
    assert [(b["relay"], b["balance"]) for b in balances] == [("afpi", "100.00")]
    # asking for another relay's balances gives nothing, its account a 404
    assert client.get("/api/v1/balances/", {"relay": "thesame"}).json()["count"] == 0
    foreign = Account.objects.get(relay__slug="thesame", code="512")
    assert client.get(f"/api/v1/balances/{foreign.pk}/").status_code == 404


def test_region_sees_every_relays_balances(api_world, token_client):
    client = token_client(api_world["users"]["region"])
    rows = client.get("/api/v1/balances/", {"code": "411", "ordering": "code"}).json()["results"]
    assert {(r["relay"], r["balance"]) for r in rows} == {
        ("afpi", "-100.00"),
        ("thesame", "-100.00"),
    }


def test_diagnosis_results_per_enrolment(api_world, token_client):
    client = token_client(api_world["users"]["owner"])
    rows = client.get("/api/v1/diagnoses/", {"enrolment": api_world["e_lyon"].pk}).json()["results"]
    assert len(rows) == 1  # the draft is not a result
    body = rows[0]
    assert body["overall_score"] == "50.0"
    assert [t["code"] for t in body["theme_scores"]] == ["qualite", "stocks", "maintenance"]
    assert body["weakest_themes"][0] == {"code": "stocks", "name": "Stocks", "score": "25.0"}
    assert body["recommendation"]["offer"] == "ciblee"


def test_action_plan_carries_actions_and_measured_indicators(api_world, token_client):
    client = token_client(api_world["users"]["consultant"])
    plan = client.get(f"/api/v1/action-plans/{api_world['plan'].pk}/").json()
    assert [a["title"] for a in plan["actions"]] == ["Inventaire"]
    assert plan["actions"][0]["owner_name"] == "Ana Pilote"
    indicator = plan["indicators"][0]
    assert (indicator["name"], indicator["target"]) == ("Stock", "20.00")
    assert [m["value"] for m in indicator["measurements"]] == ["35.00"]
    mission = client.get(f"/api/v1/missions/{api_world['mission'].pk}/").json()
    assert [h["subject"] for h in mission["half_days"]] == ["Flux"]
