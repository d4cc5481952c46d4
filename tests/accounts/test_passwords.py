"""Strong passwords: 12 characters at least, not common, not numeric, not like the e-mail."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signup(client, password, email="jeanne.martin@usinage.fr"):
    return client.post(
        reverse("enrolment:start"),
        {
            "first_name": "Jeanne",
            "last_name": "Martin",
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "Usinage-07!",
            "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
        ),
        ("password1234", "Ce mot de passe est trop courant."),
        ("201920072024", "Ce mot de passe est entièrement numérique."),
        (
            "jeanne.martin@usinage",
            "Le mot de passe est trop semblable au champ «\xa0adresse e-mail\xa0».",
        ),
    ],
)
def test_signup_refuses_weak_passwords_in_french(client, password, message):
    response = _signup(client, password)
    assert response.status_code == 400  # the form again, with its errors
    assert message in response.content.decode()


def test_signup_accepts_a_strong_password(client):
    response = _signup(client, "Décolletage-Annecy-74")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session  # the account exists and is logged in


def test_password_change_uses_the_same_rules(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "Court-2007",
            "new_password2": "Court-2007",
        },
    )
    assert "au minimum 12 caractères" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("secret-pass-123")
