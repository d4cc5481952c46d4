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
from tests.agreements.helpers import (
    assign_consultant,
    enrolment_validated,
    staff_user,
)
from tests.builders import advance, enrolment_at

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
    return enrolment_at(S.ELIGIBLE)


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
        advance(enrolment, S.DIAGNOSED)
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
        advance(enrolment, S.AGREEMENT_SIGNED)
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
        advance(enrolment, S.CLOSED, staff=staff)
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


def test_the_periodic_sweep_claims_and_batch_tasks_send_each_reminder_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The Celery path: the sweep claims (one INSERT per batch) and dispatches the batch; the
    batch task sends each reminder at most once, releases what is no longer due, and leaves
    everything to send again when the SMTP server fails."""
    from core import reminders

    with at(0), zeal_ignore():
        enrolments = [eligible_enrolment() for _ in range(3)]
    batches = []
    monkeypatch.setattr(reminders, "_dispatch", lambda *args: batches.append(args))
    with at(7), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_sweep_dispatch(only=["diagnosis_draft"]) == 3
        assert reminders.reminders_sweep_dispatch(only=["diagnosis_draft"]) == 0
    [(rule, today, ids)] = batches
    assert (rule, today, len(ids)) == ("diagnosis_draft", "2027-03-08", 3)
    assert mail.outbox == [] and ReminderSent.objects.filter(sent_at__isnull=True).count() == 3
    with at(7), zeal_ignore():
        advance(enrolments[0], S.DIAGNOSED)  # no longer due when the batch runs

    def send_batch():
        with at(7), zeal_ignore():
            return reminders.reminders_send_batch(
                rule_code=rule, today=dt.date.fromisoformat(today), ids=ids
            )

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP")

    monkeypatch.setattr(reminders, "_send", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        send_batch()
    assert ReminderSent.objects.filter(sent_at__isnull=False).count() == 0
    assert not [e for e in enrolments for t in timeline_for(e) if t.verb == "reminder"]
    monkeypatch.undo()
    assert send_batch() == 2
    assert send_batch() == 0  # the task delivered twice: nothing more
    with zeal_ignore():
        owners = sorted(e.company.owner.email for e in enrolments[1:])
    assert sorted(e.to[0] for e in mail.outbox) == owners
    assert ReminderSent.objects.filter(sent_at__isnull=False).count() == 2
    assert not ReminderSent.objects.filter(object_id=enrolments[0].pk).exists()  # released
    for e in enrolments[1:]:
        assert [t.data["rule"] for t in timeline_for(e) if t.verb == "reminder"] == [
            "diagnosis_draft"
        ]
