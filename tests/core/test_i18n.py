"""English, the portal's second language (French is the source language of every msgid).

The catalogue is locale/en/LC_MESSAGES/django.po; `scripts/translations.py` refreshes it
(makemessages) and compiles the .mo with polib. When a test below reports untranslated or
fuzzy entries, run that script, translate what it lists, and run it again.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.roles import Role
from tests.factories import UserFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{[\w.]+\}")

# Sentences of the landing page and of the page frame, as a French visitor reads them.
FRENCH_LANDING = [
    "Aller au contenu",
    "Se connecter",
    "Inscrire mon entreprise",
    "Deux offres, selon votre besoin",
    "Demi-journées de conseil",
    "La Région finance",
    "Qui peut s&#x27;inscrire",
    "Une méthode éprouvée",
    "Près de chez vous",
    "Une question ? Contactez votre structure relais.",
]


def english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_french_remains_the_default(client):
    html = client.get("/").content.decode()
    assert 'lang="fr"' in html
    assert "Deux offres, selon votre besoin" in html


@pytest.mark.django_db
def test_landing_page_in_english(client):
    html = english(client).get("/").content.decode()
    assert 'lang="en"' in html
    assert "Performance PME: 2,000 industrial SMEs in Rhône-Alpes performing better" in html
    assert "Two offers, depending on your needs" in html
    assert "Register my company" in html
    assert "Who can register?" in html
    assert "Consulting half-days" in html
    assert "excl. VAT" in html
    assert "Any questions? Contact your relay organisation." in html
    for sentence in FRENCH_LANDING:
        assert sentence not in html, sentence


@pytest.mark.django_db
def test_landing_offer_names_in_english(client):
    html = english(client).get("/").content.decode()
    assert "Targeted Performance" in html and "In-depth Performance" in html
    assert "Performance ciblée" not in html and "Performance approfondie" not in html


def test_offer_and_theme_names_are_in_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("Performance ciblée") == "Targeted Performance"
        assert translation.gettext("Performance approfondie") == "In-depth Performance"
        assert translation.gettext("Conduite du changement") == "Change management"


@pytest.mark.django_db
def test_login_page_in_english(client):
    html = english(client).get(reverse("login")).content.decode()
    assert "Log in to your account" in html
    assert "Forgotten your password?" in html
    assert "Connexion à votre espace" not in html
    assert "Mot de passe oublié" not in html


@pytest.mark.django_db
def test_signed_in_frame_and_navigation_in_english(client):
    client.force_login(UserFactory(role=Role.DIRECTOR))
    html = english(client).get(reverse("core:home")).content.decode()
    assert "Log out" in html and "My profile" in html
    assert ">Registrations<" in html and ">Dashboard<" in html
    assert "Se déconnecter" not in html and "Mon profil" not in html
    assert ">Inscriptions<" not in html and ">Tableau de bord<" not in html


def test_plurals_and_placeholders_in_english():
    with translation.override("en"):
        one = translation.ngettext("%(n)s entreprise", "%(n)s entreprises", 1) % {"n": 1}
        many = translation.ngettext("%(n)s entreprise", "%(n)s entreprises", 3) % {"n": 3}
        hello = translation.gettext("Bonjour %(name)s,") % {"name": "Ada"}
    assert (one, many, hello) == ("1 company", "3 companies", "Hello Ada,")


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries() if not e.obsolete]
    assert not untranslated, f"untranslated (run scripts/translations.py): {untranslated[:20]}"
    assert not fuzzy, f"fuzzy (check and remove the flag): {fuzzy[:20]}"


def test_translations_keep_placeholders():
    po = polib.pofile(str(CATALOGUE))
    wrong = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                wrong.append((source, target))
    assert not wrong


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    compiled = {(e.msgid, e.msgid_plural): (e.msgstr, e.msgstr_plural) for e in mo}
    source = {
        (e.msgid, e.msgid_plural): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()
    }
    stale = {key for key, value in source.items() if compiled.get(key) != value}
    assert not stale, (
        f"django.mo is out of date: run scripts/translations.py --compile ({len(stale)})"
    )
