"""The API keeps its published contract: every query parameter is validated as documented (400
with a French message), and every operation documents the error statuses it may answer."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(world, token_client):
    return token_client(world["users"]["director"])


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "Entier supérieur ou égal à 1 attendu."),
        ("page=abc", "page", "Entier supérieur ou égal à 1 attendu."),
        ("page_size=false", "page_size", "Entier de 1 à 200 attendu."),
        ("page_size=500", "page_size", "Entier de 1 à 200 attendu."),
        ("page_size=0", "page_size", "Entier de 1 à 200 attendu."),
        ("updated_since=", "updated_since", "Valeur vide"),
        ("updated_since=hier", "updated_since", "Saisissez une date et une heure valides."),
        ("departement=99", "departement", "Sélectionnez un choix valide."),
        ("company=0", "company", "supérieure ou égale à 1"),
        ("state=", "state", "Valeur vide"),
    ],
)
def test_an_invalid_query_parameter_is_a_400_in_french(director, query, field, message):
    response = director.get(f"/api/v1/enrolments/?{query}")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])


def test_booleans_are_true_or_false(director):
    assert director.get("/api/v1/missions/?active=true").status_code == 200
    refused = director.get("/api/v1/missions/?active=oui")
    assert refused.status_code == 400
    assert refused.json() == {"active": ["Valeur attendue : true ou false."]}
    assert director.get("/api/v1/departements/?in_programme=1").status_code == 400


def test_a_page_past_the_last_is_a_404_and_nul_characters_are_ignored(director):
    assert director.get("/api/v1/enrolments/?page=999").status_code == 404
    assert director.get("/api/v1/balances/?code=41%001").status_code == 200
    assert director.get("/api/v1/companies/?search=Ly%00on").status_code == 200
    assert director.get("/api/v1/dashboard/?start=").status_code == 400


def test_the_schema_documents_error_statuses_and_reference_values(client, world):
    client.force_login(world["users"]["director"])
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "patch"}:
                continue
            statuses = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= statuses, (method, path)
            if method != "get":
                assert {"400", "409"} <= statuses, (method, path)
            for status in ("401", "429"):
                assert "application/json" in operation["responses"][status]["content"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/enrolments/"]["get"]["parameters"]}
    assert "69" in parameters["departement"]["schema"]["enum"]
    assert "afpi" in parameters["relay"]["schema"]["enum"]
    assert parameters["company"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
    }
    assert parameters["page_size"]["schema"]["maximum"] == 200


def test_an_id_that_is_not_one_is_a_json_404(director):
    response = director.get("/api/v1/companies/0.5/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
