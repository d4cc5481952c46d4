"""In Chromium: a relay's chargé de mission creates a token in the portal, an integration
uses it, the chargé revokes it; the API documentation renders with local assets only."""

from urllib.parse import urlparse

import httpx
import pytest

from core.models import Relay
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_token_created_in_the_portal_works_until_revoked(page, login, live_server):
    user = UserFactory(
        email="relais.e2e@test.example", staff=True, relay=Relay.objects.get(slug="thesame")
    )
    login(user.email, "secret-pass-123")
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Jetons d'API").click()
    page.get_by_label("Nom du jeton").fill("CRM Thésame")
    page.get_by_role("button", name="Créer le jeton").click()
    raw = page.get_by_label("Nouveau jeton").input_value()
    assert raw.startswith("ppme_")

    api = f"{live_server.url}/api/v1/relays/"
    headers = {"Authorization": f"Bearer {raw}"}
    body = httpx.get(api, headers=headers).json()
    assert [r["slug"] for r in body["results"]] == ["thesame"]

    page.reload()
    assert page.get_by_label("Nouveau jeton").count() == 0  # shown once only
    page.get_by_role("button", name="Révoquer le jeton CRM Thésame").click()
    assert "a été révoqué" in page.content()
    assert httpx.get(api, headers=headers).status_code == 401


def test_api_docs_render_from_local_assets(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto("/api/v1/docs/")
    page.get_by_text("/api/v1/enrolments/{id}/actions/validate/").first.wait_for()
    assert "API Performance PME" in page.content()
    assert hosts == {urlparse(live_server.url).netloc}
