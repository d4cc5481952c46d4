"""The cache fails open: Redis unreachable costs speed (a miss, a WARNING), never a page."""

from __future__ import annotations

import logging
import socket

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from core.cache import cache_bypass_reset
from core.models import Relay
from diagnostics.selectors import diagnosis_profile
from reporting.selectors import dashboard_cached
from tests.enrolment.helpers import diagnosed_enrolment
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment, staff_user

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once the socket is closed: nothing listens there


def _cache_settings(backend: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down(settings):
    """Every cache call goes to an address where no Redis listens."""
    cache_bypass_reset()
    settings.CACHES = _cache_settings("core.cache.FailOpenRedisCache")
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 60
    yield
    cache_bypass_reset()


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.cache"]


def test_an_unreachable_cache_answers_like_an_empty_one_and_says_why(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)  # dropped, no error
    assert cache.get_or_set("computed", lambda: 42) == 42
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("a", 1) is False
    assert cache.incr("counter") == 1  # a counter starting again: a rate limit lets it through
    [warning] = _warnings(caplog)  # once per outage window, not at each call
    assert "ConnectionError" in warning and "Connection refused" in warning


def test_the_cache_is_tried_again_after_the_window(redis_down, settings, caplog):
    settings.CACHES["default"]["OPTIONS"]["RETRY_AFTER"] = 0
    caplog.set_level(logging.WARNING, logger="core.cache")
    cache.get("a")
    cache.get("b")
    assert len(_warnings(caplog)) == 2


def test_django_s_redis_cache_alone_fails_the_caller(settings):
    """What the fail-open wrapper prevents: the error the issue saw in the tracebacks."""
    settings.CACHES = _cache_settings("django.core.cache.backends.redis.RedisCache")
    with pytest.raises(RedisConnectionError):
        cache.get("anything")


def test_the_radar_and_the_dashboard_are_computed_without_redis(redis_down):
    diagnosis = diagnosed_enrolment(weak=("stocks",)).diagnoses.get()
    assert "<svg" in diagnosis_profile(diagnosis=diagnosis).svg
    data = dashboard_cached(user=UserFactory(region=True))
    assert data["tables"]


def test_the_dashboard_page_and_its_cached_fragments_answer_without_redis(client, redis_down):
    afpi = Relay.objects.get(slug="afpi")
    signed_enrolment(company=company(relay=afpi), staff=staff_user(afpi))
    client.force_login(UserFactory(region=True))
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count("<svg") >= 3  # milestones, relays, funders


def test_the_api_throttle_lets_requests_through_when_redis_is_down(
    client, redis_down, settings, caplog
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute"},
    }
    caplog.set_level(logging.WARNING, logger="core.cache")
    client.force_login(UserFactory(region=True))
    statuses = [client.get("/api/v1/relays/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]  # a 2/minute budget, unenforceable without Redis
    assert any("ConnectionError" in w for w in _warnings(caplog))


def test_healthz_still_reports_the_broker_down(client, redis_down, monkeypatch):
    from performance_pme.celery import app as celery_app

    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
