"""The collective action demo data: idempotent, and every page of the feature renders on it."""

import html

import pytest
from django.db import transaction
from django.urls import reverse
from zeal import zeal_ignore

from collective.demo import seed_followups, seed_groups, seed_network
from collective.models import (
    FollowUp,
    GroupMembership,
    NetworkConsent,
    Seminar,
    SeminarAttendance,
    TerritorialGroup,
)
from consultants.demo import seed_training
from consultants.models import Trainee, TrainingAttendance, TrainingSession
from core.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "groups": TerritorialGroup.objects.count(),
        "memberships": GroupMembership.objects.count(),
        "seminars": Seminar.objects.count(),
        "attendances": SeminarAttendance.objects.count(),
        "followups": FollowUp.objects.count(),
        "consents_given": NetworkConsent.objects.filter(state="given").count(),
        "answered": FollowUp.objects.filter(answered_at__isnull=False).count(),
        "trainees": Trainee.objects.count(),
        "completed": Trainee.objects.filter(status=Trainee.Status.COMPLETED).count(),
        "sessions": TrainingSession.objects.count(),
        "training_attendances": TrainingAttendance.objects.count(),
    }


def test_collective_demo_is_idempotent_and_its_pages_render(demo_db, settings, client):
    settings.DEBUG = True
    first = _counts()  # after seed_demo (the run's demo template, tests/demo_db.py)
    with zeal_ignore():
        for step in (seed_followups, seed_groups, seed_network, seed_training):
            with transaction.atomic():
                step({})
    assert _counts() == first
    assert first["groups"] >= 7
    assert first["seminars"] == 2 * first["groups"]
    assert first["answered"] >= 4
    assert first["completed"] >= 2
    assert first["consents_given"] >= first["groups"]  # every demo group page shows cards

    staff = User.objects.get(email="relais-thesame@demo.test")
    client.force_login(staff)
    group = TerritorialGroup.objects.filter(relay=staff.relay).first()
    seminar = group.seminars.first()
    trainee = Trainee.objects.filter(pilot__enrolment__company__relay=staff.relay).first()
    urls = [
        reverse("core:home"),
        reverse("collective:group_list"),
        reverse("collective:group_detail", args=[group.pk]),
        reverse("collective:group_network", args=[group.pk]),
        reverse("collective:seminar_detail", args=[seminar.pk]),
        reverse("collective:seminar_edit", args=[seminar.pk]),
        reverse("collective:seminar_ics", args=[seminar.pk]),
        reverse("collective:followup_list"),
        reverse("consultants:training_home"),
        reverse("consultants:training_session_create"),
    ]
    if trainee:
        urls.append(reverse("consultants:trainee_detail", args=[trainee.pk]))
    member = group.memberships.first()
    urls.append(reverse("enrolment:company_detail", args=[member.enrolment.company_id]))
    for url in urls:
        assert client.get(url).status_code == 200, url

    # a member of the group sees the cards of those who consented, never the others
    shown = NetworkConsent.objects.filter(group=group, state="given").select_related("company")
    silent = NetworkConsent.objects.filter(group=group).exclude(state="given").first()
    client.force_login(member.enrolment.company.owner)
    page = client.get(reverse("collective:group_network", args=[group.pk])).content.decode()
    others = [c for c in shown if c.company_id != member.enrolment.company_id]
    assert all(html.escape(c.company.name) in page for c in others)
    if silent is not None and silent.company_id != member.enrolment.company_id:
        assert html.escape(silent.company.name) not in page

    client.force_login(User.objects.get(email="region@demo.test"))
    assert (
        'id="continuation-rate">50,0 %'
        in client.get(reverse("core:home"), follow=True).content.decode()
    )
