"""The admin speaks French for the third-party models it shows (django-otp, django-axes) and
wears the portal's header and colours; renaming them changes no migration."""

from html import unescape

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_third_party_apps_and_models_are_named_in_french(client):
    admin = UserFactory(admin=True)
    StaticDevice.objects.create(user=admin, name="secours")  # the listing shows its columns
    client.force_login(admin)
    html = unescape(client.get("/admin/").content.decode())
    for words in (
        "Double authentification — codes de secours",
        "Double authentification — applications",
        "Protection des connexions",
        "Listes de codes de secours",
        "Applications d'authentification",
    ):
        assert words in html, words
    for english in (
        "Static devices",
        "TOTP devices",
        "OTP_STATIC",
        "Otp_Static",
        "Otp_Totp",
        ">Axes<",
    ):
        assert english not in html, english
    listing = unescape(client.get("/admin/otp_static/staticdevice/").content.decode())
    assert "Créé le" in listing and "Dernière utilisation" in listing
    assert "created at" not in listing.lower() and "last used at" not in listing.lower()


def test_the_admin_wears_the_portals_header_and_colours(client):
    client.force_login(UserFactory(admin=True))
    html = unescape(client.get("/admin/").content.decode())
    assert "Performance PME — administration" in html
    assert "css/admin-portal.css" in html and "img/logo.svg" in html
    assert "Retour au portail" in html


def test_the_french_names_change_no_migration():
    call_command("makemigrations", "otp_static", "otp_totp", "axes", check=True, dry_run=True)
