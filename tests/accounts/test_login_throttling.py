"""Login throttling (django-axes): 5 failures for one e-mail from one address lock it 15 min."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def _login(client, email, password, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_login_with_a_french_page_and_are_recorded(client):
    user = UserFactory(email="chef@exemple.fr")
    for _ in range(4):
        response = _login(client, user.email, "mauvais-mot-de-passe")
        assert response.status_code == 200  # the login page again, with the form error
        assert "et un mot de passe valides" in response.content.decode()
    response = _login(client, "CHEF@exemple.fr", "mauvais-mot-de-passe")  # same counter
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion échouées (5)" in page
    assert "bloquée pendant 15 minutes" in page
    assert "<html" in page and "Mot de passe oublié" in page  # the portal's page, not bare text
    # even the right password is refused now, from this address
    assert _login(client, user.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="chef@exemple.fr", ip_address="127.0.0.1")
    assert attempt.failures_since_start >= 5


def test_the_lock_is_per_address_and_ends_after_the_cool_off(client):
    user = UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            _login(client, user.email, "mauvais")
        assert _login(client, user.email, PASSWORD).status_code == 429
        # another address is not locked out of this account
        assert _login(client, user.email, PASSWORD, ip="10.1.2.3").status_code == 302
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 16, tzinfo=dt.UTC), tick=False):
        response = _login(client, user.email, PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("core:home")


def test_a_success_resets_the_counter(client):
    user = UserFactory()
    for _ in range(4):
        _login(client, user.email, "mauvais")
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, user.email, "mauvais").status_code == 200
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_password_confirmation_failures_count_too(client):
    """The « Confirmez votre mot de passe » page cannot be used to guess the password."""
    user = UserFactory()
    client.force_login(user)
    url = reverse("core:reauth")
    for _ in range(4):
        response = client.post(url, {"password": "mauvais"}, REMOTE_ADDR="127.0.0.1")
        assert "Mot de passe incorrect." in response.content.decode()
    response = client.post(url, {"password": "mauvais"}, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429
