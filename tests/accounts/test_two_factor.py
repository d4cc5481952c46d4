"""Two-factor authentication: required for director, Region, administrators; optional for others."""

import base64
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.otp import backup_codes_create
from tests.conftest import otp_test_device
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
WRONG_CODE = "Code incorrect ou expiré."


def _code(device: TOTPDevice, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{totp.token():06d}"


def _password_login(client, user):
    """The real login page (password step only)."""
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_director_without_device_is_sent_to_set_up_before_anything_else(client):
    director = UserFactory(director=True)
    response = _password_login(client, director)
    response = client.get(response["Location"])  # the home page
    setup = reverse("core:otp_setup")
    assert response.status_code == 302 and response["Location"].startswith(setup)
    # every other page too, with the way back kept
    response = client.get(reverse("consultants:pool"))
    assert response["Location"] == f"{setup}?next=%2Fconsultants%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    assert "obligatoire" in page
    secret = page.split('id="otp-secret"')[1].split(">")[1].split("<")[0].strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    # a wrong code is refused, nothing saved
    response = client.post(response["Location"], {"code": "000000", "next": "/consultants/"})
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=director).exists()
    # the right one saves the device and shows the backup codes once
    code = f"{TOTP(key).token():06d}"
    response = client.post(setup, {"code": code, "next": "/consultants/"})
    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=director).confirmed
    assert response.content.decode().count('<li class="col">') == 10
    assert StaticToken.objects.filter(device__user=director).count() == 10
    assert client.get(reverse("consultants:pool")).status_code == 200


def test_director_with_device_wrong_code_refused_right_code_goes_home(client):
    director = UserFactory(director=True)
    device = otp_test_device(director)
    response = client.get(_password_login(client, director)["Location"])
    verify = reverse("core:otp_verify")
    assert response["Location"] == f"{verify}?next=%2Faccueil%2F"
    response = client.post(verify, {"code": "123456", "next": "/accueil/"})
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302  # still asked
    assert client.get(reverse("core:home"))["Location"].startswith(verify)
    # after a wrong code, django-otp makes the next try wait (1 s, then 2, 4…)
    response = client.post(verify, {"code": _code(device), "next": "/accueil/"})
    assert "patientez quelques secondes" in response.content.decode()
    with time_machine.travel(dt.timedelta(seconds=2)):
        response = client.post(verify, {"code": _code(device), "next": "/accueil/"})
    assert response["Location"] == "/accueil/"
    response = client.get("/accueil/")
    assert response.status_code == 200  # the director's home: panels
    # a code is accepted once (replay refused)
    client.logout()
    _password_login(client, director)
    response = client.post(verify, {"code": _code(device)})
    assert WRONG_CODE in response.content.decode()


def test_a_new_device_cannot_replace_the_current_one_without_its_code(client):
    director = UserFactory(director=True)
    otp_test_device(director)
    _password_login(client, director)
    response = client.get(reverse("core:otp_setup"))
    assert response["Location"].startswith(reverse("core:otp_verify"))


def test_a_backup_code_works_once(client):
    region = UserFactory(region=True)
    otp_test_device(region)
    codes = backup_codes_create(user=region)
    _password_login(client, region)
    response = client.post(reverse("core:otp_verify"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    client.logout()
    _password_login(client, region)
    response = client.post(reverse("core:otp_verify"), {"code": codes[0]})
    assert WRONG_CODE in response.content.decode()
    assert StaticToken.objects.filter(device__user=region).count() == 9


@pytest.mark.parametrize("trait", ["owner", "staff", "consultant", "trainer"])
def test_other_roles_are_not_asked(client, trait):
    user = UserFactory(**{trait: True})
    response = client.get(_password_login(client, user)["Location"], follow=True)
    assert response.status_code == 200
    assert all(reverse("core:otp_setup") not in url for url, _ in response.redirect_chain)
    assert all(reverse("core:otp_verify") not in url for url, _ in response.redirect_chain)


def test_an_owner_may_enable_it_and_is_then_asked_at_login(client):
    owner = UserFactory()
    _password_login(client, owner)
    page = client.get(reverse("core:security")).content.decode()
    assert "Activer la double authentification" in page
    page = client.get(reverse("core:otp_setup")).content.decode()
    assert "obligatoire" not in page
    secret = page.split('id="otp-secret"')[1].split(">")[1].split("<")[0].strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    client.post(reverse("core:otp_setup"), {"code": f"{TOTP(key).token():06d}"})
    client.logout()
    _password_login(client, owner)
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:otp_verify"))
    device = TOTPDevice.objects.get(user=owner)
    client.post(reverse("core:otp_verify"), {"code": _code(device, ahead=1)})
    assert client.get(reverse("core:home")).status_code == 200
    # optional: the owner may turn it off (after confirming the password and a code)
    response = client.post(reverse("core:otp_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()


def test_required_two_factor_cannot_be_disabled(client):
    region = UserFactory(region=True)
    client.force_login(region)
    client.post(reverse("core:otp_disable"))
    assert TOTPDevice.objects.filter(user=region).exists()


def test_admin_site_requires_the_code(client):
    admin = UserFactory(admin=True)
    device = otp_test_device(admin)
    client.force_login_password_only(admin)
    response = client.get("/admin/")
    assert response["Location"] == f"{reverse('core:otp_verify')}?next=%2Fadmin%2F"
    client.post(reverse("core:otp_verify"), {"code": _code(device)})
    assert client.get("/admin/").status_code == 200


def test_django_staff_of_any_role_need_the_code_and_the_admin_checks_it_too(client, rf):
    """A staff member (is_staff) with an ordinary role; the admin site itself refuses unverified."""
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore

    staff = UserFactory(is_staff=True)
    client.force_login_password_only(staff)
    assert client.get("/admin/")["Location"].startswith(reverse("core:otp_setup"))
    request = rf.get("/admin/")
    request.user = staff
    request.session = SessionStore()
    staff.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    staff.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_session_api_calls_wait_for_the_code_token_calls_do_not(client):
    from api.services import api_token_create

    director = UserFactory(director=True)
    client.force_login_password_only(director)
    response = client.get("/api/v1/relays/")
    assert response.status_code == 403
    assert "double authentification" in response.json()["detail"]
    _, raw = api_token_create(user=director, name="intégration")
    from django.test import Client

    assert Client().get("/api/v1/relays/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_the_test_client_force_login_verifies_with_a_real_device(client):
    """The one test mechanism: force_login() passes the second step for who needs it."""
    director = UserFactory(director=True)
    client.force_login(director)
    assert TOTPDevice.objects.filter(user=director, confirmed=True).count() == 1
    assert client.get(reverse("core:home")).status_code == 200
