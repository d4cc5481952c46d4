"""The three-year continuation rate equals the figure computed by hand from the test data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective.followups import continuation_rate, followup_answer
from collective.models import FollowUp
from enrolment.models import EnrolmentState
from tests.factories import UserFactory
from tests.groups.factories import enrolment_at, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db

# (departement, offer, months since closing, answer at 36 months: True / False / None = silent)
COMPANIES = [
    ("69", "ciblee", 40, True),
    ("69", "ciblee", 40, True),
    ("69", "ciblee", 38, False),
    ("69", "approfondie", 37, True),
    ("69", "approfondie", 37, None),
    ("69", "ciblee", 12, None),  # closed too recently: not counted
    ("74", "ciblee", 39, False),
]


@pytest.fixture
def history(db):
    today = timezone.localdate()
    with zeal_ignore():
        for departement, offer, months, answer in COMPANIES:
            closed_on = today - relativedelta(months=months)
            moment = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(11, 0)))
            with time_machine.travel(moment, tick=False):
                enrolment = enrolment_at(S.CLOSED, departement=departement, offer=offer)
            if answer is not None:
                followup_answer(
                    followup=FollowUp.objects.get(enrolment=enrolment, due_months=36),
                    still_running=answer,
                )
        enrolment_at(S.IN_PROGRESS, departement="74")  # not closed: not counted


def test_continuation_rate_by_relay_and_offer_matches_the_hand_count(history):
    result = continuation_rate(user=UserFactory(region=True))
    rows = {
        (r.relay, r.offer): (r.closed, r.answered, r.carrying_on, r.rate) for r in result["rows"]
    }
    # by hand: Afpi ciblée 2 of 3 carry on; Afpi approfondie 1 of 2 (one silent);
    # Thésame ciblée 0 of 1; total 3 of 6 companies closed at least 36 months ago.
    assert rows == {
        ("Afpi", "Performance ciblée"): (3, 3, 2, Decimal("66.7")),
        ("Afpi", "Performance approfondie"): (2, 1, 1, Decimal("50.0")),
        ("Thésame", "Performance ciblée"): (1, 1, 0, Decimal("0.0")),
    }
    total = result["total"]
    assert (total.closed, total.answered, total.carrying_on) == (6, 5, 3)
    assert total.rate == Decimal("50.0")


def test_relay_staff_see_the_rate_of_their_relay_only(history):
    total = continuation_rate(user=staff_of("afpi"))["total"]
    assert (total.closed, total.carrying_on, total.rate) == (5, 3, Decimal("60.0"))


def test_the_region_lands_on_the_dashboard_with_the_rate(history, client):
    client.force_login(UserFactory(region=True))
    page = client.get(reverse("core:home"), follow=True).content.decode()
    assert 'id="continuation-rate">50,0 %' in page
    assert "3 sur 6 entreprises clôturées" in page


def test_the_home_panel_shows_the_rate_to_the_director(history, client):
    client.force_login(UserFactory(director=True))
    page = client.get(reverse("core:home")).content.decode()
    assert 'id="continuation-rate">50,0 %' in page
    assert "taux de poursuite à 36 mois" in page
    assert "3 sur 6 entreprises clôturées" in page
    # The detail by relay and offer moved to the Region's dashboard; the panel links to it.
    assert reverse("reporting:dashboard") + "#table-continuation" in page
    assert "66,7 %" in client.get(reverse("reporting:dashboard")).content.decode()
