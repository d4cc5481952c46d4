"""Reminders: each rule fires on its day and not before; each reminder is sent once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from zeal import zeal_ignore

from agreements.services import agreement_ensure_current
from core.models import ReminderPreference, ReminderSent
from core.reminders import reminders_send_digests, reminders_send_due
from core.services import timeline_for
from enrolment.models import EnrolmentState
from enrolment.services import enrolment_transition
from tests.agreements.helpers import (
    assign_consultant,
    enrolment_validated,
    staff_user,
)
from tests.factories import EnrolmentFactory

PARIS = ZoneInfo("Europe/Paris")
DAY0 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS)
S = EnrolmentState

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 10):
    return time_machine.travel(DAY0 + dt.timedelta(days=days, hours=hour - 10), tick=False)


def sweep(days: int, only=None) -> int:
    with at(days):
        return reminders_send_due(only=only)


def eligible_enrolment():
    enrolment = EnrolmentFactory()
    enrolment_transition(enrolment=enrolment, to=S.SUBMITTED, by=enrolment.company.owner)
    enrolment_transition(enrolment=enrolment, to=S.ELIGIBLE)
    return enrolment


def test_diagnosis_draft_fires_on_day_7_not_before_and_once():
    with at(0), zeal_ignore():
        enrolment = eligible_enrolment()
    for day in range(0, 7):
        assert sweep(day, only=["diagnosis_draft"]) == 0, f"envoyée trop tôt (jour {day})"
    assert mail.outbox == []
    assert sweep(7, only=["diagnosis_draft"]) == 1
    assert sweep(7, only=["diagnosis_draft"]) == 0  # the sweep runs again: nothing more
    assert sweep(8, only=["diagnosis_draft"]) == 0
    [email] = mail.outbox
    assert email.to == [enrolment.company.owner.email]
    assert "autodiagnostic" in email.subject
    assert "text/html" in email.alternatives[0][1]
    sent = ReminderSent.objects.get()
    assert sent.due_date == dt.date(2027, 3, 8)
    events = [e for e in timeline_for(enrolment) if e.verb == "reminder"]
    assert len(events) == 1 and events[0].data["rule"] == "diagnosis_draft"


def test_diagnosis_draft_not_sent_once_the_diagnosis_is_submitted():
    with at(0), zeal_ignore():
        enrolment = eligible_enrolment()
    with at(3):
        enrolment_transition(enrolment=enrolment, to=S.DIAGNOSED, by=enrolment.company.owner)
    assert sweep(7) == 0
    assert sweep(10) == 0


def test_agreement_unsigned_fires_14_days_after_issue():
    with at(0), zeal_ignore():
        enrolment = enrolment_validated()
        agreement = agreement_ensure_current(enrolment_id=enrolment.pk)
    assert agreement.version == 1
    assert sweep(13, only=["agreement_unsigned"]) == 0
    assert sweep(14, only=["agreement_unsigned"]) == 1
    assert sweep(15, only=["agreement_unsigned"]) == 0
    [email] = mail.outbox
    assert email.to == [enrolment.company.owner.email]
    assert "signature" in email.subject


def test_mission_ending_fires_14_days_before_the_planned_end_for_consultant_and_relay():
    with at(0), zeal_ignore():
        staff = staff_user()
        enrolment = enrolment_validated(staff=staff)
        mission = assign_consultant(enrolment, staff=staff)
        mission.planned_end_date = dt.date(2027, 4, 30)
        mission.save(update_fields=["planned_end_date"])
        enrolment_transition(enrolment=enrolment, to=S.AGREEMENT_SIGNED, by=staff)
    # 2027-04-16 is 14 days before the end: day 46 from 2027-03-01
    assert sweep(45, only=["mission_ending"]) == 0
    assert sweep(46, only=["mission_ending"]) == 2
    assert sweep(47, only=["mission_ending"]) == 0
    recipients = sorted(e.to[0] for e in mail.outbox)
    assert recipients == sorted([mission.consultant.user.email, staff.email])


def test_follow_up_fires_at_6_12_and_36_months_after_closing():
    with at(0), zeal_ignore():
        staff = staff_user()
        enrolment = enrolment_validated(staff=staff)
        assign_consultant(enrolment, staff=staff)
        enrolment_transition(enrolment=enrolment, to=S.AGREEMENT_SIGNED, by=staff)
        enrolment_transition(enrolment=enrolment, to=S.IN_PROGRESS, by=staff)
        enrolment_transition(enrolment=enrolment, to=S.CLOSED, by=staff)
    due_days = {
        (dt.date(2027, 9, 1) - DAY0.date()).days: 6,
        (dt.date(2028, 3, 1) - DAY0.date()).days: 12,
        (dt.date(2030, 3, 1) - DAY0.date()).days: 36,
    }
    for day, months in due_days.items():
        assert sweep(day - 1, only=["follow_up"]) == 0, f"{months} mois : trop tôt"
        assert sweep(day, only=["follow_up"]) == 1, f"{months} mois : pas envoyée"
        assert sweep(day + 1, only=["follow_up"]) == 0
    assert ReminderSent.objects.filter(rule="follow_up").count() == 3
    assert all(e.to == [staff.email] for e in mail.outbox)


def test_opted_out_user_gets_no_optional_reminder_and_digest_gathers_them():
    with at(0), zeal_ignore():
        first, second = eligible_enrolment(), eligible_enrolment()
    ReminderPreference.objects.create(user=first.company.owner, disabled_rules=["diagnosis_draft"])
    ReminderPreference.objects.create(user=second.company.owner, weekly_digest=True)
    assert sweep(7) == 1  # the digest reader's reminder is recorded, not mailed
    assert mail.outbox == []
    with at(9):
        assert reminders_send_digests() == 1
        assert reminders_send_digests() == 0
    [digest] = mail.outbox
    assert digest.to == [second.company.owner.email]
    assert "récapitulatif" in digest.subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once():
    with at(0), zeal_ignore():
        enrolments = [eligible_enrolment() for _ in range(5)]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            results.append(reminders_send_due(today=dt.date(2027, 3, 8)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with zeal_ignore():
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    assert sum(results) == len(enrolments)
    assert len(mail.outbox) == len(enrolments)
    assert ReminderSent.objects.count() == len(enrolments)


def test_the_sweep_works_in_batches_and_sends_each_reminder_once(monkeypatch):
    """Due items are handled in batches (flat memory): each batch is filtered and sent alike."""
    from core import reminders

    with at(0), zeal_ignore():
        enrolments = [eligible_enrolment() for _ in range(5)]
    # One owner asks for the weekly digest, another turned the rule off.
    ReminderPreference.objects.create(
        user=enrolments[1].company.owner, weekly_digest=True, disabled_rules=[]
    )
    ReminderPreference.objects.create(
        user=enrolments[3].company.owner, disabled_rules=["diagnosis_draft"]
    )
    monkeypatch.setattr(reminders, "SWEEP_BATCH_SIZE", 2)
    batches = []
    preferences = reminders._preferences
    monkeypatch.setattr(
        reminders, "_preferences", lambda ids: batches.append(len(ids)) or preferences(ids)
    )
    with zeal_ignore():
        assert sweep(7, only=["diagnosis_draft"]) == 4  # the one who turned it off: none
    assert batches == [2, 2, 1]
    with zeal_ignore():
        expected = sorted(
            e.company.owner.email for i, e in enumerate(enrolments) if i not in (1, 3)
        )
    assert sorted(e.to[0] for e in mail.outbox) == expected
    assert ReminderSent.objects.filter(digest=True).count() == 1
    with zeal_ignore():
        assert sweep(7, only=["diagnosis_draft"]) == 0
