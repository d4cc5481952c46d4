"""« Confirmez votre mot de passe » before exports of personal data and bank-relevant changes."""

import datetime as dt

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP

from core.models import Relay
from core.reauth import recent_authentication_required
from tests.conftest import otp_test_device
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
LATER = dt.timedelta(minutes=11)


def _code(device, ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{totp.token():06d}"


def test_an_export_asks_again_after_ten_minutes_then_comes_back(client):
    director = UserFactory(director=True)
    client.force_login(director)
    export = reverse("consultants:pool_export")
    assert client.get(export).status_code == 200  # just logged in: no question
    with time_machine.travel(LATER):
        response = client.get(export)
        reauth = reverse("core:reauth")
        assert response["Location"] == f"{reauth}?next=%2Fconsultants%2Fexport.csv"
        page = client.get(response["Location"]).content.decode()
        assert "Confirmez votre mot de passe" in page
        assert 'name="code"' in page  # the director has a device: the code too
        device = otp_test_device(director)
        response = client.post(
            reauth, {"password": "mauvais", "code": _code(device), "next": export}
        )
        assert "Mot de passe incorrect." in response.content.decode()
        response = client.post(reauth, {"password": PASSWORD, "code": "000000", "next": export})
        assert "Code incorrect" in response.content.decode()
    with time_machine.travel(LATER + dt.timedelta(seconds=3)):
        response = client.post(
            reauth, {"password": PASSWORD, "code": _code(device, ahead=1), "next": export}
        )
        assert response["Location"] == export
        response = client.get(export)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_owner_without_device_gives_only_the_password_and_next_must_be_local(client):
    owner = UserFactory()
    client.force_login(owner)
    with time_machine.travel(LATER):
        page = client.get(reverse("core:reauth")).content.decode()
        assert 'name="code"' not in page
        response = client.post(
            reverse("core:reauth"), {"password": PASSWORD, "next": "https://evil.example/"}
        )
    assert response["Location"] == reverse("core:home")


def test_enrolment_exports_ask_again(client):
    staff = UserFactory(staff=True)
    client.force_login(staff)
    with time_machine.travel(LATER):
        assert client.get(reverse("enrolment:staff_export"))["Location"].startswith(
            reverse("core:reauth")
        )
        # a bulk export (POST) comes back to the list it was sent from
        response = client.post(
            reverse("enrolment:staff_bulk"),
            {"action": "export"},
            HTTP_REFERER="http://testserver/inscriptions/?state=submitted",
        )
        assert response["Location"] == (
            reverse("core:reauth") + "?next=%2Finscriptions%2F%3Fstate%3Dsubmitted"
        )
        # other bulk actions are not exports
        response = client.post(reverse("enrolment:staff_bulk"), {"action": "validate"})
        assert not response["Location"].startswith(reverse("core:reauth"))


def test_funding_exports_and_payments_ask_again_pages_do_not(client):
    afpi = Relay.objects.get(slug="afpi")
    staff = UserFactory(staff=True, relay=afpi)
    region = UserFactory(region=True)
    client.force_login(staff)
    reauth = reverse("core:reauth")
    with time_machine.travel(LATER):
        journal = reverse("funding:journal", args=[afpi.slug])
        assert client.get(journal).status_code == 200
        assert client.get(journal + "?format=xlsx")["Location"].startswith(reauth)
        payment = reverse("funding:payment_create", args=[afpi.slug])
        assert client.get(payment)["Location"].startswith(reauth)
        client.force_login(region)
    with time_machine.travel(LATER * 2):
        dashboard = reverse("reporting:dashboard")
        assert client.get(dashboard).status_code == 200
        assert client.get(dashboard + "?export=relays&format=csv")["Location"].startswith(reauth)
        instalments = reverse("funding:instalments")
        assert client.get(instalments).status_code == 200
        response = client.post(instalments, {"instalment": []}, HTTP_REFERER=instalments)
        assert response["Location"].startswith(reauth)


def test_tariff_changes_in_the_admin_ask_again(client):
    admin = UserFactory(admin=True)
    client.force_login(admin)
    assert client.get("/admin/catalogue/tariff/add/").status_code == 200
    with time_machine.travel(LATER):
        assert client.get("/admin/catalogue/tariff/").status_code == 200  # the list: no
        response = client.get("/admin/catalogue/tariff/add/")
        assert response["Location"].startswith(reverse("core:reauth"))


def test_the_decorator_is_reusable_with_a_max_age():
    """Other apps wrap their views the same way (e.g. the RGPD export « Mes données »)."""

    @recent_authentication_required(max_age=60)
    def my_data(request):
        return HttpResponse("ok")

    from django.contrib.sessions.backends.db import SessionStore

    from core.reauth import authentication_mark

    request = RequestFactory().get("/profil/mes-donnees/?format=json")
    request.user = UserFactory.build()
    request.session = SessionStore()
    assert my_data(request)["Location"] == (
        reverse("core:reauth") + "?next=%2Fprofil%2Fmes-donnees%2F%3Fformat%3Djson"
    )
    authentication_mark(request)
    assert my_data(request).content == b"ok"
    with time_machine.travel(dt.timedelta(seconds=61)):
        assert my_data(request).status_code == 302
