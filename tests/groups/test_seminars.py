"""Seminars: calendar per group, invitations with an iCalendar file, attendance, company page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add, seminar_create, seminar_ics
from collective.models import Seminar, SeminarAttendance
from consultants.models import Expert
from core.models import Departement, OutboxMessage, Relay
from core.outbox import outbox_process_message
from diagnostics.models import Theme
from enrolment.models import EnrolmentState
from tests.factories import UserFactory

from .factories import enrolment_at, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    staff = staff_of("afpi")
    group = group_create(
        relay=Relay.objects.get(slug="afpi"),
        departement=Departement.objects.get(code="69"),
        name="Groupe Lyon Est",
        by=staff,
    )
    with zeal_ignore():
        members = [
            enrolment_at(S.IN_PROGRESS, staff=staff, offer="approfondie", name=f"Membre {i}")
            for i in range(4)
        ]
        for enrolment in members:
            group_member_add(group=group, enrolment=enrolment, by=staff)
    speaker = Expert.objects.create(
        user=UserFactory(consultant=True, first_name="Luc", last_name="Girard"),
        kind=Expert.Kind.CONSULTANT,
    )
    return {"staff": staff, "group": group, "members": members, "speaker": speaker}


def _tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def test_scheduling_a_seminar_invites_owners_and_pilots_with_an_ics_file(world):
    seminar = seminar_create(
        group=world["group"],
        starts_at=_tomorrow_at(9),
        ends_at=_tomorrow_at(12),
        place="CCI de Lyon, 20 rue de la Bourse, Lyon",
        theme=Theme.objects.order_by("position").first(),
        speaker=world["speaker"],
        by=world["staff"],
    )
    message = OutboxMessage.objects.get(kind="seminar.scheduled")
    with zeal_ignore():
        outbox_process_message(message.pk)

    assert len(mail.outbox) == 4  # one per member company
    first = world["members"][0]
    invitation = next(m for m in mail.outbox if first.company.owner.email in m.to)
    assert {p.email for p in first.pilots.all()} <= set(invitation.to)
    assert "Séminaire Performance PME" in invitation.subject
    name, content, mimetype = invitation.attachments[0]
    assert name == "seminaire.ics"
    assert mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content
    assert f"UID:seminaire-{seminar.pk}@performance-pme.fr" in content
    start_utc = seminar.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start_utc}" in content
    assert "LOCATION:CCI de Lyon\\, 20 rue de la Bourse\\, Lyon" in content
    assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))

    # the relay's worker running the message again sends nothing more
    with zeal_ignore():
        outbox_process_message(message.pk)
        from collective.groups import seminar_send_invitations

        assert seminar_send_invitations(seminar=seminar) == 0
    assert len(mail.outbox) == 4


def test_ics_lines_are_folded_and_text_escaped(world):
    seminar = Seminar(
        pk=99,
        group=world["group"],
        starts_at=_tomorrow_at(14),
        ends_at=_tomorrow_at(17),
        place="Salle; étage 2",
        title="Réduire les stocks, les encours et les délais — retour d'expérience " * 2,
    )
    content = seminar_ics(seminar=seminar)
    assert "LOCATION:Salle\\; étage 2" in content
    assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))
    unfolded = content.replace("\r\n ", "")
    assert "SUMMARY:Réduire les stocks\\, les encours" in unfolded


def test_staff_create_a_seminar_and_bad_input_keeps_what_was_typed(world, client):
    client.force_login(world["staff"])
    url = reverse("collective:seminar_create", args=[world["group"].pk])
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    bad = client.post(
        url,
        {"date": day, "start_time": "14:00", "end_time": "12:00", "place": "Salle Rhône"},
    )
    page = bad.content.decode()
    assert bad.status_code == 200
    assert "L&#x27;heure de fin doit suivre l&#x27;heure de début." in page
    assert "Choisissez un thème ou saisissez un intitulé libre." in page
    assert 'value="Salle Rhône"' in page
    assert not Seminar.objects.exists()

    ok = client.post(
        url,
        {
            "date": day,
            "start_time": "09:00",
            "end_time": "12:30",
            "place": "Salle Rhône",
            "title": "Animer un point quotidien",
            "speaker": world["speaker"].pk,
        },
    )
    seminar = Seminar.objects.get()
    assert ok.status_code == 302
    assert ok["Location"] == reverse("collective:seminar_detail", args=[seminar.pk])
    assert timezone.localtime(seminar.starts_at).time() == dt.time(9, 0)
    assert seminar.speaker == world["speaker"]


def test_staff_record_attendance_and_the_company_page_shows_its_seminars(world, client):
    seminar = seminar_create(
        group=world["group"],
        starts_at=_tomorrow_at(9),
        ends_at=_tomorrow_at(12),
        place="Salle Rhône",
        title="Mesurer ses gains",
        by=world["staff"],
    )
    came, absent = world["members"][0], world["members"][1]
    client.force_login(world["staff"])
    response = client.post(
        reverse("collective:seminar_detail", args=[seminar.pk]),
        {f"present_{came.pk}": "on", f"attendees_{came.pk}": "K. Benali, É. Durand"},
    )
    assert response.status_code == 302
    assert SeminarAttendance.objects.get(seminar=seminar, enrolment=came).present
    assert not SeminarAttendance.objects.get(seminar=seminar, enrolment=absent).present
    assert SeminarAttendance.objects.filter(seminar=seminar).count() == 4

    client.force_login(came.company.owner)
    page = client.get(reverse("enrolment:company_detail", args=[came.company_id])).content
    page = page.decode()
    assert "Séminaires collectifs" in page
    assert "Mesurer ses gains" in page
    assert "présente" in page


def test_the_region_sees_seminars_but_may_not_record_attendance(world, client):
    seminar = seminar_create(
        group=world["group"],
        starts_at=_tomorrow_at(9),
        ends_at=_tomorrow_at(12),
        place="Salle Rhône",
        title="Mesurer ses gains",
        by=world["staff"],
    )
    client.force_login(UserFactory(region=True))
    url = reverse("collective:seminar_detail", args=[seminar.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    client.force_login(staff_of("thesame"))
    assert client.get(url).status_code == 404


def test_changing_a_seminar_sends_an_updated_invitation(world, client):
    seminar = seminar_create(
        group=world["group"],
        starts_at=_tomorrow_at(9),
        ends_at=_tomorrow_at(12),
        place="Salle Rhône",
        title="Mesurer ses gains",
        by=world["staff"],
    )
    with zeal_ignore():
        outbox_process_message(OutboxMessage.objects.get(kind="seminar.scheduled").pk)
    mail.outbox.clear()
    client.force_login(world["staff"])
    day = timezone.localtime(seminar.starts_at).date().isoformat()
    client.post(
        reverse("collective:seminar_edit", args=[seminar.pk]),
        {
            "date": day,
            "start_time": "14:00",
            "end_time": "17:00",
            "place": "Salle Saône",
            "title": "Mesurer ses gains",
        },
    )
    seminar.refresh_from_db()
    assert seminar.sequence == 1
    assert seminar.place == "Salle Saône"
    update = OutboxMessage.objects.get(key=f"seminar:{seminar.pk}:seq1")
    with zeal_ignore():
        outbox_process_message(update.pk)
    assert len(mail.outbox) == 4
    assert mail.outbox[0].subject.startswith("Mise à jour")
    content = mail.outbox[0].attachments[0][1]
    assert "SEQUENCE:1" in content
    assert f"UID:seminaire-{seminar.pk}@performance-pme.fr" in content


def test_the_attendance_sheet_issues_the_same_number_of_queries_for_few_and_many(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seminar = seminar_create(
        group=world["group"],
        starts_at=_tomorrow_at(9),
        ends_at=_tomorrow_at(12),
        place="Salle Rhône",
        title="Mesurer ses gains",
        by=world["staff"],
    )
    client.force_login(world["staff"])
    urls = [
        reverse("collective:seminar_detail", args=[seminar.pk]),
        reverse("enrolment:company_detail", args=[world["members"][0].company_id]),
    ]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            for url in urls:
                assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    with zeal_ignore():
        for _ in range(3):
            group_member_add(
                group=world["group"],
                enrolment=enrolment_at(S.IN_PROGRESS, staff=world["staff"], offer="approfondie"),
                by=world["staff"],
            )
        seminar_create(
            group=world["group"],
            starts_at=_tomorrow_at(14),
            ends_at=_tomorrow_at(16),
            place="Salle Saône",
            title="Deuxième séminaire",
            by=world["staff"],
        )
    assert count() == few


def test_the_director_creates_a_group_for_any_relay(client):
    director = UserFactory(director=True)
    client.force_login(director)
    response = client.post(
        reverse("collective:group_create"),
        {
            "name": "Groupe Savoie",
            "departement": "73",
            "relay": Relay.objects.get(slug="ceforalp").pk,
        },
    )
    from collective.models import TerritorialGroup

    group = TerritorialGroup.objects.get(name="Groupe Savoie")
    assert response["Location"] == reverse("collective:group_detail", args=[group.pk])
    assert group.relay.slug == "ceforalp"
    again = client.post(
        reverse("collective:group_create"),
        {"name": "groupe savoie", "departement": "73", "relay": group.relay_id},
    )
    assert "a déjà un groupe nommé" in again.content.decode()
