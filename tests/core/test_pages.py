import re

import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_landing_shows_offers_from_the_tariffs(client):
    html = client.get("/").content.decode()
    assert "Performance ciblée" in html and "Performance approfondie" in html
    assert "2\u202f440,00\u00a0€" in html and "8\u202f000,00\u00a0€" in html
    assert "Inscrire mon entreprise" in html
    # every asset is served by us: no stylesheet, script or image from another host
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Connexion à votre espace" in response.content.decode()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_has_a_home(client, role):
    kwargs = {"role": role}
    if role == Role.RELAY_STAFF:
        kwargs["staff"] = True
    user = UserFactory(**kwargs)
    client.force_login(user)
    response = client.get(reverse("core:home"))
    if role == Role.REGION:  # the Region lands on the programme's dashboard
        assert response.status_code == 302
        assert response["Location"] == reverse("reporting:dashboard")
        response = client.get(response["Location"])
        assert response.status_code == 200
        assert "Tableau de bord du programme" in response.content.decode()
        return
    assert response.status_code == 200
    assert 'id="role-home"' in response.content.decode()


def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get("/").content.decode().startswith("<!doctype html>")
    assert 'lang="en"' in client.get("/").content.decode()


def test_password_reset_sends_a_french_email(client, mailoutbox):
    UserFactory(email="owner@test.example")
    client.post(reverse("password_reset"), {"email": "owner@test.example"})
    assert len(mailoutbox) == 1
    assert "nouveau mot de passe" in mailoutbox[0].subject
