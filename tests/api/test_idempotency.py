"""API writes honour an `Idempotency-Key` header, through the forms' one-time key mechanism."""

import pytest
from django.utils import timezone

from consultants.models import HalfDay
from core.models import OutboxMessage
from tests.concurrency import race
from tests.consultants.factories import running_mission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _payload() -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "subject": "Cartographie des flux",
        "attendees": "Direction, pilote",
    }


def test_a_retried_request_with_the_same_key_logs_one_half_day(token_client):
    mission = running_mission(started_days_ago=10)
    client = token_client(mission.consultant.user)
    url = f"/api/v1/missions/{mission.pk}/half-days/"
    headers = {"HTTP_IDEMPOTENCY_KEY": "client-42-halfday-1"}
    first = client.post(url, _payload(), format="json", **headers)
    again = client.post(url, _payload(), format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert HalfDay.objects.filter(mission=mission).count() == 1
    # another key is another half-day
    other = client.post(url, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="client-42-halfday-2")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # the same key for another request is refused in French
    second_mission = running_mission(consultant=mission.consultant, started_days_ago=10)
    reused = client.post(
        f"/api/v1/missions/{second_mission.pk}/half-days/", _payload(), format="json", **headers
    )
    assert reused.status_code == 400
    assert reused.json() == {
        "non_field_errors": ["Cette clé d'idempotence a déjà servi à une autre requête."]
    }
    assert not HalfDay.objects.filter(mission=second_mission).exists()


def test_the_same_key_sent_twice_at_once_logs_one_half_day(token_client):
    mission = running_mission(started_days_ago=10)
    url = f"/api/v1/missions/{mission.pk}/half-days/"
    clients = [token_client(mission.consultant.user) for _ in range(2)]

    def post(client):
        return client.post(url, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="double-click")

    answers = race(lambda: post(clients[0]), lambda: post(clients[1]))

    assert [a.status_code for a in answers] == [201, 201], answers
    assert answers[0].json() == answers[1].json()
    assert HalfDay.objects.filter(mission=mission).count() == 1
    assert OutboxMessage.objects.filter(kind="mission.halfday_logged").count() == 1
