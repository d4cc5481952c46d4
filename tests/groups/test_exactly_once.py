"""A seminar's attendance sheet sent twice at the same instant is recorded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add, seminar_create
from collective.models import SeminarAttendance
from core.models import Departement, Relay, TimelineEvent
from enrolment.models import EnrolmentState
from tests.concurrency import race, submission_key
from tests.conftest import OTPClient

from .factories import enrolment_at, staff_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_attendance_sheet_sent_twice_at_once_is_recorded_once():
    staff = staff_of("afpi")
    with zeal_ignore():
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe Lyon Est",
            by=staff,
        )
        members = [
            enrolment_at(EnrolmentState.IN_PROGRESS, staff=staff, offer="approfondie", name=f"M{i}")
            for i in range(4)
        ]
        for enrolment in members:
            group_member_add(group=group, enrolment=enrolment, by=staff)
        day = timezone.localdate() - dt.timedelta(days=1)
        seminar = seminar_create(
            group=group,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
            ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
            place="Salle Rhône",
            title="Mesurer ses gains",
            by=staff,
        )
    url = reverse("collective:seminar_detail", args=[seminar.pk])
    first, second = OTPClient(), OTPClient()
    first.force_login(staff)
    second.force_login(staff)
    data = {"submission_key": submission_key(first.get(url).content.decode())}
    for enrolment in members[:3]:
        data[f"present_{enrolment.pk}"] = "on"
        data[f"attendees_{enrolment.pk}"] = "K. Benali"

    answers = race(lambda: first.post(url, data), lambda: second.post(url, data))

    assert [a.status_code for a in answers] == [302, 302], answers
    said = sorted(str(m) for a in answers for m in get_messages(a.wsgi_request))
    assert said == [
        "Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois. "
        "Présences enregistrées.",
        "Présences enregistrées.",
    ]
    assert SeminarAttendance.objects.filter(seminar=seminar).count() == 4
    assert SeminarAttendance.objects.filter(seminar=seminar, present=True).count() == 3
    assert TimelineEvent.objects.filter(verb="seminar.attendance").count() == 1


def test_two_different_sheets_at_once_never_fail(client):
    """Two staff send their own sheet at the same instant: the seminar row orders them."""
    staff = staff_of("afpi")
    with zeal_ignore():
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe Lyon Ouest",
            by=staff,
        )
        members = [
            enrolment_at(EnrolmentState.IN_PROGRESS, staff=staff, offer="approfondie", name=f"N{i}")
            for i in range(4)
        ]
        for enrolment in members:
            group_member_add(group=group, enrolment=enrolment, by=staff)
        day = timezone.localdate() - dt.timedelta(days=1)
        seminar = seminar_create(
            group=group,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
            ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
            place="Salle Rhône",
            title="Mesurer ses gains",
            by=staff,
        )
    url = reverse("collective:seminar_detail", args=[seminar.pk])
    clients = [OTPClient(), OTPClient()]
    posts = []
    for i, c in enumerate(clients):
        c.force_login(staff_of("afpi"))
        key = submission_key(c.get(url).content.decode())
        posts.append({"submission_key": key, f"present_{members[i].pk}": "on"})

    answers = race(lambda: clients[0].post(url, posts[0]), lambda: clients[1].post(url, posts[1]))

    assert [a.status_code for a in answers] == [302, 302], answers
    assert SeminarAttendance.objects.filter(seminar=seminar).count() == 4
    assert SeminarAttendance.objects.filter(seminar=seminar, present=True).count() == 1
