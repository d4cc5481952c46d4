"""Sessions end after 2 h without a request (sliding), and when the browser closes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_idle_session_expires_after_two_hours_and_activity_keeps_it(client, settings):
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(user)
        assert client.get(reverse("core:profile")).status_code == 200
        traveller.shift(dt.timedelta(hours=1, minutes=55))
        assert client.get(reverse("core:profile")).status_code == 200  # renews the session
        traveller.shift(dt.timedelta(hours=1, minutes=55))  # 3 h 50 after login, still active
        assert client.get(reverse("core:profile")).status_code == 200
        traveller.shift(dt.timedelta(hours=2, minutes=1))  # idle for more than 2 h
        response = client.get(reverse("core:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_cookie_ends_with_the_browser(client):
    client.force_login(UserFactory())
    response = client.get(reverse("core:profile"))
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # no persistent cookie
