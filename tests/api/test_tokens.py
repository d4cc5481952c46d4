"""Personal API tokens: created and revoked in the profile, shown once, stored hashed."""

import hashlib
import re

import pytest
from django.urls import reverse

from api.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create_token_in_page(client, name="CRM Afpi"):
    response = client.post(reverse("api_tokens:list"), {"name": name}, follow=True)
    assert response.status_code == 200
    match = re.search(r'value="(ppme_[^"]+)"', response.content.decode())
    assert match, "the new token is shown right after creation"
    return match.group(1), response


def test_token_created_in_profile_is_shown_once_and_stored_hashed(client):
    user = UserFactory(staff=True)
    client.force_login(user)
    raw, response = _create_token_in_page(client)
    assert "il ne sera plus jamais affiché" in response.content.decode()

    token = ApiToken.objects.get(user=user)
    assert token.name == "CRM Afpi"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.prefix, token.key_hash, token.name}
    # a second visit no longer shows it
    assert raw not in client.get(reverse("api_tokens:list")).content.decode()


def test_token_authenticates_and_records_last_use(client):
    user = UserFactory(staff=True)
    client.force_login(user)
    raw, _ = _create_token_in_page(client)
    client.logout()
    for scheme in ("Bearer", "Token"):
        response = client.get("/api/v1/relays/", HTTP_AUTHORIZATION=f"{scheme} {raw}")
        assert response.status_code == 200
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_revoked_token_is_401(client):
    user = UserFactory(staff=True)
    client.force_login(user)
    raw, _ = _create_token_in_page(client)
    token = ApiToken.objects.get(user=user)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "a été révoqué" in response.content.decode()
    client.logout()

    response = client.get("/api/v1/relays/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton invalide ou révoqué."


def test_wrong_or_tampered_token_is_401(client, token_client):
    raw = token_client(UserFactory(staff=True)).raw_token
    tampered = raw[:-2] + ("aa" if not raw.endswith("aa") else "bb")
    for value in (tampered, "ppme_nope_nope", "garbage"):
        response = client.get("/api/v1/relays/", HTTP_AUTHORIZATION=f"Bearer {value}")
        assert response.status_code == 401, value


def test_cannot_revoke_someone_elses_token(client, token_client):
    other = token_client(UserFactory(staff=True))
    token = ApiToken.objects.get(prefix=other.raw_token.split("_")[1])
    client.force_login(UserFactory(director=True))
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_requires_a_name_in_french(client):
    client.force_login(UserFactory())
    response = client.post(reverse("api_tokens:list"), {"name": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "trait", ["owner", "staff", "consultant", "trainer", "director", "region", "admin"]
)
def test_token_page_is_in_every_roles_menu(client, trait):
    client.force_login(UserFactory(**{trait: True}))
    page = client.get(reverse("core:home"), follow=True).content.decode()
    assert reverse("api_tokens:list") in page
