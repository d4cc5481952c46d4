"""Capacity is enforced in the database transaction, on real PostgreSQL."""

import threading

import pytest
from django.db import connection
from zeal import zeal_ignore

from consultants import services
from consultants.models import Assignment
from core.exceptions import BusinessRuleError

from .factories import ExpertFactory, director, validated_enrolment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_directors_racing_for_the_last_slot_give_exactly_one_assignment():
    consultant = ExpertFactory(capacity=3)
    boss = director()
    with zeal_ignore():
        for _ in range(2):  # two slots already taken
            services.consultant_assign(
                enrolment=validated_enrolment(), consultant=consultant, by=boss
            )
        enrolments = [validated_enrolment() for _ in range(20)]
    barrier = threading.Barrier(20)
    successes, refusals, crashes = [], [], []

    def attempt(enrolment):
        try:
            barrier.wait()
            services.consultant_assign(enrolment=enrolment, consultant=consultant, by=boss)
            successes.append(enrolment.pk)
        except BusinessRuleError as exc:
            refusals.append(exc.message)
        except Exception as exc:  # pragma: no cover - would make the test fail below
            crashes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(e,)) for e in enrolments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert crashes == []
    assert len(successes) == 1
    assert len(refusals) == 19
    assert all("capacité (3 missions sur 3)" in m for m in refusals)
    assert services.consultant_load(expert=consultant) == 3
    assert Assignment.objects.filter(consultant=consultant).count() == 3
