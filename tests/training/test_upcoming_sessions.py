"""A trainer's sessions are split into upcoming and past; attendance is recorded only from the
session's day on (an upcoming session never shows "Présents 2 / 2")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from consultants.models import TrainingModule
from consultants.training import (
    sessions_split,
    training_attendance_record,
    training_session_create,
)
from core.exceptions import BusinessRuleError
from core.models import Relay
from tests.training.test_training import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _session(world, module, date):  # noqa: F811
    with zeal_ignore():
        return training_session_create(
            module=module,
            trainer=world["trainer"],
            relay=Relay.objects.get(slug="afpi"),
            date=date,
            place="Afpi Lyon, salle 3",
            trainees=world["trainees"],
            by=world["staff"],
        )


def _table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert match, table_id
    return match.group(0)


def test_attendance_cannot_be_recorded_before_the_session(world):  # noqa: F811
    modules = list(TrainingModule.objects.filter(is_active=True))
    today = timezone.localdate()
    upcoming = _session(world, modules[1], today + dt.timedelta(days=3))
    with pytest.raises(BusinessRuleError):
        training_attendance_record(
            session=upcoming,
            present={t.pk: True for t in world["trainees"]},
            by=world["trainer"].user,
        )
    assert not upcoming.attendances.filter(present=True).exists()
    held_today = _session(world, modules[0], today)  # from the session's day on
    training_attendance_record(
        session=held_today,
        present={t.pk: True for t in world["trainees"]},
        by=world["trainer"].user,
    )
    assert held_today.attendances.filter(present=True).count() == len(world["trainees"])


def test_sessions_split_soonest_upcoming_first_latest_past_first(world):  # noqa: F811
    modules = list(TrainingModule.objects.filter(is_active=True))
    today = dt.date(2026, 12, 3)
    a = _session(world, modules[0], dt.date(2026, 11, 1))
    b = _session(world, modules[1], dt.date(2026, 12, 3))
    c = _session(world, modules[2], dt.date(2027, 1, 20))
    d = _session(world, modules[3], dt.date(2026, 12, 10))
    split = sessions_split([a, b, c, d], today=today)
    assert split.upcoming == [d, c]
    assert split.past == [b, a]


def test_the_trainer_page_shows_upcoming_sessions_without_attendance(world, client):  # noqa: F811
    modules = list(TrainingModule.objects.filter(is_active=True))
    today = timezone.localdate()
    past = _session(world, modules[0], today - dt.timedelta(days=7))
    training_attendance_record(
        session=past, present={t.pk: True for t in world["trainees"]}, by=world["trainer"].user
    )
    upcoming = _session(world, modules[1], today + dt.timedelta(days=7))
    n = len(world["trainees"])
    client.force_login(world["trainer"].user)

    page = client.get(reverse("consultants:training_home")).content.decode()
    upcoming_table = _table(page, "sessions-upcoming")
    past_table = _table(page, "sessions")
    assert reverse("consultants:training_session", args=[upcoming.pk]) in upcoming_table
    assert reverse("consultants:training_session", args=[upcoming.pk]) not in past_table
    assert reverse("consultants:training_session", args=[past.pk]) in past_table
    assert f"{n} / {n}" in past_table and " / " not in upcoming_table
    assert "Présents" not in upcoming_table

    url = reverse("consultants:training_session", args=[upcoming.pk])
    detail = client.get(url).content.decode()
    assert "Session à venir" in detail
    assert 'type="checkbox"' not in detail and "Enregistrer les présences" not in detail
    # a forged POST is refused with the reason, nothing recorded
    response = client.post(url, {f"present_{t.pk}": "on" for t in world["trainees"]}, follow=True)
    assert response.status_code == 200
    assert "pas encore eu lieu" in response.content.decode()
    assert not upcoming.attendances.filter(present=True).exists()

    detail = client.get(reverse("consultants:training_session", args=[past.pk])).content.decode()
    assert 'type="checkbox"' in detail and "Enregistrer les présences" in detail
