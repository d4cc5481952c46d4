"""List endpoints issue the same number of SQL queries for 5 rows and for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from zeal import zeal_ignore

from consultants.models import Expert, Mission
from enrolment.models import Pilot
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["companies", "enrolments", "experts", "missions", "relays", "offers", "departements"]


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
            Mission.objects.create(enrolment=enrolment, consultant=expert)


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
    assert many == few
