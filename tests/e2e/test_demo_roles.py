"""Every demo role logs in through the real login page and lands on its home page."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACCOUNTS = [
    ("admin@demo.test", "Administrateur", "Console d'administration"),
    ("direction@demo.test", "Directeur de projet", "toutes structures relais"),
    ("region@demo.test", None, "Tableau de bord du programme"),
    ("relais-thesame@demo.test", "Thésame", "Inscriptions — Thésame"),
    ("consultant01@demo.test", "Consultant", "Ma fiche"),
    ("formateur01@demo.test", "Formateur", "Ma fiche"),
    ("entreprise01@demo.test", "Chef d'entreprise", "Ouvrir le dossier complet"),
]


def test_each_demo_role_lands_on_its_home(demo_db, page, login, logout, settings):
    settings.DEBUG = True
    for email, role_text, marker in ACCOUNTS:
        login(email)
        home = "/accueil/" if role_text else "/tableau-de-bord/"  # the Region: its dashboard
        assert page.url.endswith(home), f"{email} n'arrive pas sur son accueil : {page.url}"
        if role_text:
            assert role_text in page.locator("#role-home").inner_text()
        assert marker in page.content()
        logout()
        assert "Inscrire mon entreprise" in page.content()


def test_wrong_password_is_refused_in_french(page, login):
    login("nobody@demo.test", "wrong-password")
    assert "/accounts/login/" in page.url
    assert "Saisissez" in page.content() or "saisissez" in page.content()
