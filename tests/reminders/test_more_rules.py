"""Reminders of issue 6 that waited for other apps: half-days behind schedule, payment overdue,
seminar in 3 days. Frozen clock: each fires on its day and not before; sweeping twice sends once.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add, seminar_create
from consultants.selectors import director_overview
from consultants.services import half_day_log
from core.models import Departement, Relay, ReminderPreference, ReminderSent
from core.reminders import reminders_send_due
from core.roles import Role
from core.services import timeline_for
from enrolment.models import EnrolmentState
from enrolment.services import enrolment_transition
from funding.models import AidInstalment, Payment
from funding.services import payment_record
from tests.agreements.helpers import assign_consultant, enrolment_validated, staff_user
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment
from tests.groups.factories import enrolment_at, staff_of

from .test_reminders import DAY0, PARIS, at, sweep

S = EnrolmentState
pytestmark = pytest.mark.django_db


def _reminder_events(enrolment, rule):
    return [e for e in timeline_for(enrolment) if e.verb == "reminder" and e.data["rule"] == rule]


# --- half-days behind schedule ---------------------------------------------------------------


def _signed_mission(*, days: int = 100):
    staff = staff_user()
    enrolment = enrolment_validated(staff=staff)
    mission = assign_consultant(enrolment, staff=staff)
    mission.start_date = DAY0.date()
    mission.planned_end_date = DAY0.date() + dt.timedelta(days=days)
    mission.save(update_fields=["start_date", "planned_end_date"])
    enrolment_transition(enrolment=enrolment, to=S.AGREEMENT_SIGNED, by=staff)
    return staff, enrolment, mission


def _behind_ids(director):
    return [m.pk for m in director_overview(user=director)["behind"]]


def test_halfdays_behind_fires_7_days_after_the_director_sees_it_behind():
    with at(0), zeal_ignore():
        staff, enrolment, mission = _signed_mission()
        director = UserFactory(role=Role.DIRECTOR)
    # No half-day logged: 30 % of the time elapsed on day 30 (the overview's 0.3 gap).
    with at(29):
        assert mission.pk not in _behind_ids(director)
    with at(30):
        assert mission.pk in _behind_ids(director)
    for day in (29, 30, 36):
        assert sweep(day, only=["halfdays_behind"]) == 0, f"envoyée trop tôt (jour {day})"
    assert sweep(37, only=["halfdays_behind"]) == 2
    assert sweep(37, only=["halfdays_behind"]) == 0
    assert sweep(38, only=["halfdays_behind"]) == 0
    assert sorted(e.to[0] for e in mail.outbox) == sorted(
        [mission.consultant.user.email, staff.email]
    )
    assert "en retard" in mail.outbox[0].subject
    assert "text/html" in mail.outbox[0].alternatives[0][1]
    assert ReminderSent.objects.get(recipient=staff).due_date == dt.date(2027, 4, 7)
    assert len(_reminder_events(enrolment, "halfdays_behind")) == 2


def test_halfdays_logged_push_the_reminder_back():
    with at(0), zeal_ignore():
        _staff, enrolment, mission = _signed_mission()
        allowed = enrolment.tariff.half_days
    with at(10), zeal_ignore():
        for _ in range(2):
            half_day_log(
                mission=mission,
                by=mission.consultant.user,
                date=DAY0.date() + dt.timedelta(days=10),
                subject="Diagnostic",
                attendees="Pilotes",
            )
    # Behind when elapsed share >= 0.3 + 2 / allowed: on day ceil(100 * that), +7 days.
    behind_day = next(d for d in range(101) if d / 100 - 2 / allowed >= 0.3)
    assert sweep(37, only=["halfdays_behind"]) == 0
    assert sweep(behind_day + 6, only=["halfdays_behind"]) == 0
    assert sweep(behind_day + 7, only=["halfdays_behind"]) == 2


def test_halfdays_behind_is_optional():
    with at(0), zeal_ignore():
        staff, _enrolment, mission = _signed_mission()
    ReminderPreference.objects.create(user=staff, disabled_rules=["halfdays_behind"])
    assert sweep(37, only=["halfdays_behind"]) == 1
    assert [e.to for e in mail.outbox] == [[mission.consultant.user.email]]


# --- payment overdue ---------------------------------------------------------------------------


def test_payment_overdue_fires_30_days_after_the_instalment_fell_due_unless_paid():
    relay = Relay.objects.get(slug="afpi")
    with at(0), zeal_ignore():
        staff = UserFactory(role=Role.RELAY_STAFF, relay=relay)
        first = signed_enrolment(company=company(relay=relay), staff=staff)
        second = signed_enrolment(company=company(relay=relay), staff=staff)
    paid, unpaid = AidInstalment.objects.filter(kind="advance").order_by("pk")
    assert paid.due_on == unpaid.due_on == DAY0.date()
    with at(10):
        payment_record(
            relay=relay,
            kind=Payment.Kind.REGION,
            date=timezone.localdate(),
            amount=paid.amount,
            reference="VIR 1",
            by=staff,
        )
    assert AidInstalment.objects.get(pk=paid.pk).status == "paid"
    for day in (0, 29):
        assert sweep(day, only=["payment_overdue"]) == 0, f"envoyée trop tôt (jour {day})"
    assert sweep(30, only=["payment_overdue"]) == 1
    assert sweep(30, only=["payment_overdue"]) == 0
    assert sweep(31, only=["payment_overdue"]) == 0
    [email] = mail.outbox
    assert email.to == [staff.email]
    assert unpaid.enrolment.company.name in email.subject
    assert "retard" in email.subject
    sent = ReminderSent.objects.get()
    assert (sent.object_id, sent.due_date) == (unpaid.pk, dt.date(2027, 3, 31))
    assert len(_reminder_events(unpaid.enrolment, "payment_overdue")) == 1
    assert {first.pk, second.pk} == {paid.enrolment_id, unpaid.enrolment_id}


# --- seminar in 3 days -------------------------------------------------------------------------


def test_seminar_soon_fires_3_days_before_for_owners_and_pilots_with_an_account():
    with at(0), zeal_ignore():
        staff = staff_of("afpi")
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe Lyon Est",
            by=staff,
        )
        members = [
            enrolment_at(S.IN_PROGRESS, staff=staff, offer="approfondie", name=f"Membre {i}")
            for i in range(2)
        ]
        for enrolment in members:
            group_member_add(group=group, enrolment=enrolment, by=staff)
        # One pilot of the first company has an account; the others only an e-mail address.
        pilot = members[0].pilots.order_by("position").first()
        pilot_user = UserFactory(role=Role.OWNER, email=pilot.email.upper())
        starts = dt.datetime(2027, 3, 11, 9, 0, tzinfo=PARIS)
        seminar = seminar_create(
            group=group,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="CCI de Lyon",
            title="Lean et flux",
            by=staff,
        )
    mail.outbox.clear()
    for day in (0, 6):
        assert sweep(day, only=["seminar_soon"]) == 0, f"envoyée trop tôt (jour {day})"
    with time_machine.travel(dt.datetime(2027, 3, 8, 0, 30, tzinfo=PARIS), tick=False):
        assert reminders_send_due(only=["seminar_soon"]) == 3
    assert sweep(7, only=["seminar_soon"]) == 0
    assert sweep(8, only=["seminar_soon"]) == 0
    with zeal_ignore():
        owners = [m.company.owner.email for m in members]
    assert sorted(e.to[0] for e in mail.outbox) == sorted([*owners, pilot_user.email])
    assert all("Lean et flux" in e.subject and "11/03/2027" in e.subject for e in mail.outbox)
    assert "CCI de Lyon" in mail.outbox[0].body
    assert {r.object_id for r in ReminderSent.objects.all()} == {seminar.pk}
    assert len(_reminder_events(members[0], "seminar_soon")) == 2
    assert len(_reminder_events(members[1], "seminar_soon")) == 1


def test_seminar_soon_skips_companies_that_left_and_past_seminars():
    with at(0), zeal_ignore():
        staff = staff_of("afpi")
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe Lyon Ouest",
            by=staff,
        )
        stays, leaves = (
            enrolment_at(S.IN_PROGRESS, staff=staff, name=f"Membre {i}") for i in range(2)
        )
        group_member_add(group=group, enrolment=stays, by=staff)
        membership = group_member_add(group=group, enrolment=leaves, by=staff)
        starts = dt.datetime(2027, 3, 11, 9, 0, tzinfo=PARIS)
        seminar_create(
            group=group,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="Villeurbanne",
            title="Management visuel",
            by=staff,
        )
    with at(2), zeal_ignore():
        from collective.groups import group_member_remove

        group_member_remove(membership=membership, reason="Abandon", by=staff)
    mail.outbox.clear()
    assert sweep(7, only=["seminar_soon"]) == 1
    assert [e.to for e in mail.outbox] == [[stays.company.owner.email]]
