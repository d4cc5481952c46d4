"""/healthz reports the database and the broker: 200 when both answer, 503 otherwise."""

import pytest
from django.db import OperationalError

from performance_pme.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_broker_down(client, monkeypatch):
    # a broker address where nothing listens
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_database_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.health.connection.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


@pytest.mark.redis
def test_healthz_talks_to_the_real_redis(client, settings):
    assert celery_app.conf.broker_url.startswith("redis://")
    assert client.get("/healthz").json()["broker"]["detail"] == "redis"
