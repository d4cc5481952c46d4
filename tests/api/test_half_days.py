"""A consultant logs a half-day through the API: the mission page's form and service."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from zeal import zeal_ignore

from consultants.models import HalfDay
from funding.models import JournalEntry
from tests.consultants.factories import running_mission, staff_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _url(mission) -> str:
    return f"/api/v1/missions/{mission.pk}/half-days/"


def _payload(**overrides) -> dict:
    return {
        "date": TODAY().isoformat(),
        "subject": "Cartographie des flux",
        "attendees": "Direction, pilote",
        **overrides,
    }


def test_consultant_logs_a_half_day_and_the_ledger_accrues_the_fee(token_client):
    mission = running_mission(started_days_ago=10)
    client = token_client(mission.consultant.user)
    response = client.post(_url(mission), _payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Cartographie des flux" and body["mission"] == mission.pk
    assert HalfDay.objects.filter(mission=mission).count() == 1
    entry = JournalEntry.objects.get(event_kind="mission.halfday_logged")
    assert entry.relay_id == mission.enrolment.company.relay_id
    lines = {ln.account.code: (ln.debit, ln.credit) for ln in entry.lines.select_related("account")}
    assert lines == {"604": (Decimal("805.00"), 0), "401": (0, Decimal("805.00"))}
    mission.enrolment.refresh_from_db()
    assert mission.enrolment.state == "in_progress"
    shown = client.get(f"/api/v1/missions/{mission.pk}/").json()["half_days"]
    assert [h["id"] for h in shown] == [body["id"]]


BAD_INPUT = [
    (
        {"date": (dt.date.today() - dt.timedelta(days=11)).isoformat()},
        "date",
        "ne peut pas précéder le début de la mission",
    ),
    (
        {"date": (dt.date.today() + dt.timedelta(days=1)).isoformat()},
        "date",
        "La date ne peut pas être dans le futur.",
    ),
    ({"date": "31/02/2026"}, "date", "Saisissez une date valide."),
    ({"subject": ""}, "subject", "Ce champ est obligatoire."),
    ({"attendees": "x" * 501}, "attendees", "au plus 500 caractères"),
]


def test_bad_input_is_400_with_a_french_field_message(token_client):
    mission = running_mission(started_days_ago=10)
    client = token_client(mission.consultant.user)
    for overrides, field, message in BAD_INPUT:
        response = client.post(_url(mission), _payload(**overrides), format="json")
        assert response.status_code == 400, overrides
        assert message in response.json()[field][0], response.json()
    assert not HalfDay.objects.exists()
    assert not JournalEntry.objects.filter(event_kind="mission.halfday_logged").exists()


def test_over_the_allowed_count_is_400(token_client):
    mission = running_mission(started_days_ago=60)
    client = token_client(mission.consultant.user)
    allowed = mission.enrolment.tariff.half_days
    with zeal_ignore():
        for k in range(allowed):
            day = (TODAY() - dt.timedelta(days=k)).isoformat()
            assert client.post(_url(mission), _payload(date=day)).status_code == 201
    response = client.post(_url(mission), _payload(), format="json")
    assert response.status_code == 400
    assert "un avenant du relais est nécessaire" in response.json()["non_field_errors"][0]
    assert HalfDay.objects.filter(mission=mission).count() == allowed


def test_other_roles_may_not_log_half_days(token_client):
    mission = running_mission(started_days_ago=10)
    with zeal_ignore():
        users = {
            "region": UserFactory(region=True),
            "relay_staff": staff_of(mission.enrolment),
            "director": UserFactory(director=True),
            "owner": mission.enrolment.company.owner,
        }
    for role, user in users.items():
        response = token_client(user).post(_url(mission), _payload(), format="json")
        assert response.status_code == 403, role
    assert not HalfDay.objects.exists()


def test_another_consultants_mission_is_404(token_client):
    mission = running_mission(started_days_ago=10)
    other = running_mission(started_days_ago=10)
    response = token_client(other.consultant.user).post(_url(mission), _payload(), format="json")
    assert response.status_code == 404
