# ruff: noqa: F811 - fixtures imported from other test modules are parameters of the tests
"""The Region's dashboard shows the three-year continuation rate (by relay and offer) and the
pilots trained, each with its SVG chart and its export, at a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective.followups import continuation_rate
from collective.models import FollowUp
from consultants.models import Trainee
from enrolment.models import Enrolment, Pilot
from tests.factories import UserFactory
from tests.followups.test_continuation_rate import history  # noqa: F401 - fixture
from tests.groups.factories import staff_of
from tests.training.test_training import make_trainer, world  # noqa: F401 - fixtures

from .test_pages import _bulk_enrolments

pytestmark = pytest.mark.django_db


def _complete(trainees):
    Trainee.objects.filter(pk__in=[t.pk for t in trainees]).update(
        status=Trainee.Status.COMPLETED, completed_on=timezone.localdate()
    )


def _row(cells) -> str:
    num = ' class="num"'
    return "".join(f"<td{num if c.isdigit() or c.endswith(' %') else ''}>{c}</td>" for c in cells)


def _section(html: str, key: str) -> str:
    start = html.index(f'id="table-{key}"')
    return html[start : html.index("</section>", start)]


def test_the_dashboard_shows_the_continuation_rate_and_the_pilots_trained(
    client,
    history,
    world,
):
    _complete(world["trainees"])
    region = UserFactory(region=True)
    client.force_login(region)
    response = client.get(reverse("reporting:dashboard"))
    html = response.content.decode()
    # The figures are continuation_rate's, the one computed by hand in tests/followups.
    assert response.context["data"]["continuation"] == continuation_rate(user=region)
    assert 'id="continuation-rate">50,0 %' in html
    assert "disponible lorsque les suivis" not in html  # the placeholder is gone
    section = _section(html, "continuation")
    assert "<svg" in section
    for cells in (
        ("Afpi", "Performance ciblée", "3", "3", "2", "66,7 %"),
        ("Afpi", "Performance approfondie", "2", "1", "1", "50,0 %"),
        ("Thésame", "Performance ciblée", "1", "1", "0", "0,0 %"),
        ("Total", "", "6", "5", "3", "50,0 %"),
    ):
        assert _row(cells) in section, cells
    assert 'id="table-training"' in html  # the training table: an export (the figure is on top)
    assert response.context["data"]["training"] == {"trained": 2, "in_training": 0}
    assert 'id="pilots-trained">2<' in html


def test_the_new_tables_are_exported(client, history, world):
    _complete(world["trainees"][:1])
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:dashboard")
    csv = client.get(url, {"export": "continuation", "format": "csv"}).content.decode("utf-8-sig")
    assert "Afpi;Performance ciblée;3;3;2;66,7 %" in csv
    assert "Total;;6;5;3;50,0 %" in csv
    csv = client.get(url, {"export": "training", "format": "csv"}).content.decode("utf-8-sig")
    assert "Formés (formation validée);1" in csv
    assert "En formation;1" in csv
    xlsx = client.get(url, {"export": "continuation", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_relay_staff_see_their_relay_rate_on_the_dashboard(client, history):
    client.force_login(staff_of("afpi"))
    html = client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="continuation-rate">60,0 %' in html
    assert "Thésame" not in _section(html, "continuation")


def _closed_with_followups_and_trainees(n: int, start: int, trainer) -> None:
    _bulk_enrolments(n, start)
    long_ago = timezone.now() - dt.timedelta(days=4 * 365)
    closed = list(
        Enrolment.objects.filter(state="closed", followups__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Enrolment.objects.filter(pk__in=closed).update(closed_at=long_ago)
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                enrolment_id=pk,
                due_months=36,
                due_on=long_ago.date() + dt.timedelta(days=3 * 365),
                answered_at=long_ago + dt.timedelta(days=3 * 365),
                still_running=i % 3 != 0,
            )
            for i, pk in enumerate(closed)
        ]
    )
    pilots = Pilot.objects.bulk_create(
        [
            Pilot(
                enrolment_id=pk,
                first_name="P",
                last_name=str(pk),
                job_title="Pilote",
                email=f"p{pk}@test.example",
            )
            for pk in closed
        ]
    )
    Trainee.objects.bulk_create(
        [Trainee(pilot=p, trainer=trainer, status=Trainee.Status.COMPLETED) for p in pilots]
    )


def test_the_additions_keep_the_dashboard_query_count_constant(client, history):
    client.force_login(UserFactory(region=True))
    url = reverse("reporting:dashboard")
    trainer = make_trainer()
    with zeal_ignore():
        _closed_with_followups_and_trainees(6, 0, trainer)
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    rows_few = len(response.context["data"]["continuation"]["rows"])
    with zeal_ignore():
        _closed_with_followups_and_trainees(600, 1000, trainer)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    data = response.context["data"]
    assert data["continuation"]["total"].closed > 100
    assert data["continuation"]["total"].carrying_on > 50
    assert data["training"]["trained"] > 100
    assert len(data["continuation"]["rows"]) > rows_few
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
