import pytest
from django.core.management import CommandError, call_command
from zeal import zeal_ignore

from consultants.models import Expert, Mission
from core.models import User
from core.roles import Role
from enrolment.models import Company, Enrolment, EnrolmentState

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "users": User.objects.count(),
        "experts": Expert.objects.count(),
        "companies": Company.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "missions": Mission.objects.count(),
        "states": sorted(Enrolment.objects.values_list("state", flat=True)),
    }


def test_seed_demo_twice_gives_the_same_data(demo_db, settings):
    # the first run of seed_demo seeded the run's demo template (tests/demo_db.py): a second one
    settings.DEBUG = True
    first = _counts()
    with zeal_ignore():  # a batch load, not a page: N+1 detection does not apply
        call_command("seed_demo")
    assert _counts() == first
    assert Expert.objects.consultants().count() == 60
    assert Expert.objects.trainers().count() == 60
    assert first["companies"] >= 40
    # every resting state of the journey is represented (submission evaluates eligibility in
    # the same transaction: no enrolment rests in "submitted")
    assert set(first["states"]) == {s.value for s in EnrolmentState} - {EnrolmentState.SUBMITTED}
    # every relay has companies and a staff account
    assert Company.objects.values("relay").distinct().count() == 7
    assert User.objects.filter(role=Role.RELAY_STAFF).count() == 7
    with zeal_ignore():
        _check_demo_passwords()
        _check_demo_authenticator_key()


def _check_demo_authenticator_key():
    """Director, Region and admin have the published key (README) as confirmed TOTP device."""
    import base64

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.demo import DEMO_TOTP_KEY

    key = base64.b32decode(DEMO_TOTP_KEY)
    for email in ["admin@demo.test", "direction@demo.test", "region@demo.test"]:
        (device,) = TOTPDevice.objects.filter(user__email=email, confirmed=True)
        assert device.verify_token(TOTP(key).token())


def _check_demo_passwords():
    for email in [
        "admin@demo.test",
        "direction@demo.test",
        "region@demo.test",
        "relais-pole-productique@demo.test",
        "consultant60@demo.test",
        "formateur01@demo.test",
        "entreprise40@demo.test",
    ]:
        assert User.objects.get(email=email).check_password("pme-demo-2007")


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(email="admin@demo.test").exists()
