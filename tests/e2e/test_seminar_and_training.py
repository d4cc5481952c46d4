"""In Chromium: relay staff schedule a seminar, record attendance, and a pilot's completed
training produces a certificate PDF."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add
from consultants.models import Expert, TrainingModule
from consultants.training import (
    training_attendance_record,
    training_enrol_pilots,
    training_session_create,
)
from core.models import Departement, Relay
from enrolment.models import EnrolmentState
from tests.factories import UserFactory
from tests.groups.factories import enrolment_at, staff_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pme-demo-2007"


@pytest.fixture
def world(transactional_db):
    with zeal_ignore():
        staff = staff_of("afpi", email="relais-e2e@test.example", password=PASSWORD)
        afpi = Relay.objects.get(slug="afpi")
        group = group_create(
            relay=afpi, departement=Departement.objects.get(code="69"), name="Groupe Lyon Est"
        )
        members = [
            enrolment_at(
                EnrolmentState.IN_PROGRESS,
                offer="approfondie",
                staff=staff,
                name=f"Mécanique Rhône {i}",
            )
            for i in range(4)
        ]
        for enrolment in members:
            group_member_add(group=group, enrolment=enrolment)
        trainer = Expert.objects.create(
            user=UserFactory(trainer=True, first_name="Anne", last_name="Favre"),
            kind=Expert.Kind.TRAINER,
        )
        Expert.objects.create(
            user=UserFactory(consultant=True, first_name="Luc", last_name="Girard"),
            kind=Expert.Kind.CONSULTANT,
        )
        trainees = training_enrol_pilots(enrolment=members[0], trainer=trainer)
        modules = list(TrainingModule.objects.filter(is_active=True))
        for i, module in enumerate(modules):
            session = training_session_create(
                module=module,
                trainer=trainer,
                relay=afpi,
                date=dt.date(2007, 3, 1) + dt.timedelta(days=7 * i),
                place="Afpi Lyon",
                trainees=trainees,
            )
            if module != modules[-1]:  # the last session's attendance is recorded in the test
                training_attendance_record(session=session, present={t.pk: True for t in trainees})
    return {"staff": staff, "group": group, "members": members, "trainee": trainees[0]}


def test_staff_run_a_seminar_and_a_pilot_training_ends_with_a_certificate(page, login, world):
    login("relais-e2e@test.example", PASSWORD)

    # 1. schedule a seminar for the group
    page.get_by_role("link", name="Groupes", exact=True).click()
    page.get_by_role("link", name="Groupe Lyon Est").click()
    assert "Mécanique Rhône 0" in page.locator("#members").inner_text()
    page.get_by_role("link", name="Programmer un séminaire").click()
    day = timezone.localdate() + dt.timedelta(days=14)
    page.locator("#id_date").fill(day.isoformat())
    page.locator("#id_start_time").fill("09:00")
    page.locator("#id_end_time").fill("12:00")
    page.locator("#id_place").fill("CCI de Lyon, salle Jacquard")
    page.locator("#id_title").fill("Piloter par les indicateurs")
    page.locator("#id_speaker").select_option(label="Luc Girard (Consultant)")
    page.get_by_role("button", name="Programmer et inviter").click()
    page.wait_for_load_state()
    assert "Séminaire programmé" in page.content()
    assert page.get_by_role("heading", name="Piloter par les indicateurs").is_visible()

    # 2. record attendance
    came = world["members"][0]
    page.locator(f"#id_present_{came.pk}").check()
    page.locator(f"#id_attendees_{came.pk}").fill("Karim Pilote, Émilie Pilote")
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.wait_for_load_state()
    assert "Présences enregistrées." in page.content()
    assert page.locator(f"#id_present_{came.pk}").is_checked()
    assert not page.locator(f"#id_present_{world['members'][1].pk}").is_checked()

    # the company's page lists the seminar with its attendance
    page.goto(f"/entreprises/{came.company_id}/")
    seminars = page.locator("#company-seminars").inner_text()
    assert "Piloter par les indicateurs" in seminars
    assert "présente" in seminars

    # 3. the pilot's last training session, then the assessment
    page.get_by_role("link", name="Formation des pilotes").click()
    page.get_by_role("link", name=re.compile("Évaluation : soutenance")).click()
    trainee = world["trainee"]
    page.locator(f"#id_present_{trainee.pk}").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.wait_for_load_state()
    assert "Présences enregistrées." in page.content()
    page.get_by_role("link", name=str(trainee.pilot)).click()
    assert "Modules suivis : 9 sur 9" in page.content()
    page.get_by_label("Réussie", exact=True).check()
    page.locator("#id_score").fill("16")
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    page.wait_for_load_state()
    assert page.locator("#trainee-status").inner_text() == "Formation validée"

    # 4. the certificate
    href = page.locator("#certificate-link").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "Attestation de formation" in text
    assert trainee.pilot.last_name in text
