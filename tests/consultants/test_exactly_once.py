"""Mission records posted twice at the same instant (a double click) are recorded once.

Two threads on real PostgreSQL post the same form, with the one-time key the page issued.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services
from consultants.models import Amendment, HalfDay, Measurement
from core.models import OutboxMessage, Submission
from tests.concurrency import race, submission_key
from tests.conftest import OTPClient

from .factories import running_mission, staff_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPLAYED = "Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."


def _clients(user, n=2) -> list[OTPClient]:
    clients = []
    for _ in range(n):
        client = OTPClient()
        client.force_login(user)
        clients.append(client)
    return clients


def _double_post(user, page: str, url: str, data: dict, prefix: str):
    first, second = _clients(user)
    data = {
        **data,
        f"{prefix}-submission_key": submission_key(first.get(page).content.decode(), prefix),
    }
    answers = race(lambda: first.post(url, data), lambda: second.post(url, data))
    assert [a.status_code for a in answers] == [302, 302], answers
    assert {a.url for a in answers} == {page}
    said = sorted(str(m) for a in answers for m in get_messages(a.wsgi_request))
    return said


def test_a_half_day_posted_twice_at_once_is_logged_once():
    mission = running_mission()
    page = reverse("consultants:mission", args=[mission.pk])
    day = timezone.localdate()
    said = _double_post(
        mission.consultant.user,
        page,
        reverse("consultants:mission_action", args=[mission.pk, "halfday"]),
        {
            "halfday-date": day.isoformat(),
            "halfday-subject": "Diagnostic des flux",
            "halfday-attendees": "K. Benali",
        },
        "halfday",
    )
    assert HalfDay.objects.filter(mission=mission).count() == 1
    # one ledger event (one consulting cost accrued), not two
    assert OutboxMessage.objects.filter(kind="mission.halfday_logged").count() == 1
    recorded = f"Demi-journée du {day:%d/%m/%Y} enregistrée."
    assert said == sorted([f"{REPLAYED} {recorded}", recorded])


def test_an_amendment_posted_twice_at_once_is_recorded_once():
    mission = running_mission()
    page = reverse("consultants:mission", args=[mission.pk])
    said = _double_post(
        staff_of(mission.enrolment),
        page,
        reverse("consultants:mission_action", args=[mission.pk, "amendment"]),
        {"amendment-extra_half_days": "2", "amendment-reason": "Deuxième site de production"},
        "amendment",
    )
    assert Amendment.objects.filter(mission=mission).count() == 1
    base = mission.enrolment.tariff.half_days
    assert services.mission_allowed_half_days(mission=mission) == base + 2  # not base + 4
    recorded = "Avenant enregistré : 2 demi-journée(s) supplémentaire(s)."
    assert said == sorted([f"{REPLAYED} {recorded}", recorded])


def test_a_measurement_posted_twice_at_once_is_recorded_once():
    mission = running_mission()
    user = mission.consultant.user
    with zeal_ignore():
        plan = services.action_plan_create(mission=mission, by=user, title="Flux tirés")
        indicator = services.indicator_create(
            plan=plan,
            by=user,
            name="Taux de service",
            unit="%",
            baseline=Decimal("80"),
            target=Decimal("95"),
        )
    page = reverse("consultants:mission", args=[mission.pk]) + "?onglet=indicateurs"
    prefix = f"measurement-{indicator.pk}"
    said = _double_post(
        user,
        page,
        reverse("consultants:mission_action_on", args=[mission.pk, "measurement", indicator.pk]),
        {f"{prefix}-date": timezone.localdate().isoformat(), f"{prefix}-value": "86.5"},
        prefix,
    )
    assert Measurement.objects.filter(indicator=indicator).count() == 1
    assert Submission.objects.filter(action="consultants.mission.measurement").count() == 1
    recorded = f"Mesure du {timezone.localdate():%d/%m/%Y} enregistrée."
    assert said == sorted([f"{REPLAYED} {recorded}", recorded])
