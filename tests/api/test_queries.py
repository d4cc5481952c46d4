"""List endpoints issue the same number of SQL queries for 5 rows and for 200."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from zeal import zeal_ignore

from consultants.models import Action, ActionPlan, Expert, HalfDay, Indicator, Measurement, Mission
from diagnostics.models import Diagnosis, Questionnaire
from enrolment.models import Pilot
from funding.ledger import Line, entry_post
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

ENDPOINTS = ["companies", "enrolments", "experts", "missions", "relays", "offers", "departements"]
ENDPOINTS += ["diagnoses", "action-plans", "indicators", "ledger-entries", "balances", "dashboard"]


def _add_rows(n: int, start: int) -> None:
    with zeal_ignore():
        for i in range(start, start + n):
            enrolment = EnrolmentFactory(company=CompanyFactory())
            Pilot.objects.create(
                enrolment=enrolment,
                first_name="P",
                last_name=f"{i}",
                job_title="Méthodes",
                email=f"p{i}@test.example",
            )
            expert = Expert.objects.create(
                user=UserFactory(consultant=True), kind=Expert.Kind.CONSULTANT
            )
            mission = Mission.objects.create(enrolment=enrolment, consultant=expert)
            _add_issue_8_rows(i, enrolment, mission)


def _add_issue_8_rows(i: int, enrolment, mission) -> None:
    """A submitted diagnosis, a half-day, a plan with an action and a measured indicator, and
    a journal entry with its lines, for one enrolment."""
    pilot = enrolment.pilots.get()
    Diagnosis.objects.create(
        company=enrolment.company,
        enrolment=enrolment,
        questionnaire=Questionnaire.objects.get(is_active=True),
        state=Diagnosis.State.SUBMITTED,
        theme_scores={"stocks": "25.0", "qualite": "50.0"},
        overall_score=Decimal("37.5"),
        submitted_at=timezone.now(),
    )
    HalfDay.objects.create(mission=mission, date=TODAY, subject="Flux", attendees="Direction")
    plan = ActionPlan.objects.create(mission=mission, title=f"Plan {i}")
    Action.objects.create(plan=plan, title="Inventaire", owner=pilot, due_date=TODAY)
    indicator = Indicator.objects.create(
        plan=plan, name="Stock", unit="jours", baseline=Decimal("40"), target=Decimal("20")
    )
    Measurement.objects.create(indicator=indicator, date=TODAY, value=Decimal("35"))
    entry_post(
        relay=enrolment.company.relay,
        date=TODAY,
        label=f"Écriture {i}",
        event_kind="test",
        key=f"q-{i}",
        lines=[
            Line("512", debit=Decimal("10.00"), company_id=enrolment.company_id),
            Line("411", credit=Decimal("10.00"), company_id=enrolment.company_id),
        ],
    )


def _counts(client) -> dict[str, int]:
    counts = {}
    for name in ENDPOINTS:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{name}/", {"page_size": 200})
        assert response.status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_list_query_counts_do_not_grow_with_rows(token_client):
    client = token_client(UserFactory(director=True))
    _add_rows(5, 0)
    few = _counts(client)
    _add_rows(195, 5)
    many = _counts(client)
    assert client.get("/api/v1/missions/", {"page_size": 200}).json()["count"] == 200
    for name in ["diagnoses", "action-plans", "indicators"]:
        assert client.get(f"/api/v1/{name}/", {"page_size": 200}).json()["count"] == 200
    assert client.get("/api/v1/ledger-entries/", {"page_size": 200}).json()["count"] >= 200
    assert many == few
