"""Pilot training (approfondie): enrolment, attendance, assessment, completion certificate."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader
from zeal import zeal_ignore

from consultants.models import Expert, Trainee, TrainingModule, TrainingSession
from consultants.training import (
    pilots_trained_count,
    training_assess,
    training_attendance_record,
    training_certificate_pdf,
    training_enrol_pilots,
    training_session_create,
)
from core.exceptions import BusinessRuleError
from core.models import Relay
from enrolment.models import EnrolmentState
from tests.factories import UserFactory
from tests.groups.factories import enrolment_at, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db


def make_trainer(name: str = "Favre") -> Expert:
    return Expert.objects.create(
        user=UserFactory(trainer=True, first_name="Anne", last_name=name),
        kind=Expert.Kind.TRAINER,
    )


@pytest.fixture
def world(db):
    staff = staff_of("afpi")
    trainer = make_trainer()
    with zeal_ignore():
        enrolment = enrolment_at(
            S.IN_PROGRESS, offer="approfondie", staff=staff, name="Fonderie Lyonnaise"
        )
        trainees = training_enrol_pilots(enrolment=enrolment, trainer=trainer, by=staff)
    return {"staff": staff, "trainer": trainer, "enrolment": enrolment, "trainees": trainees}


def follow_modules(world, modules, *, present=True):
    """Set-up: one session per module, every trainee marked present (or absent)."""
    with zeal_ignore():
        for i, module in enumerate(modules):
            session = training_session_create(
                module=module,
                trainer=world["trainer"],
                relay=Relay.objects.get(slug="afpi"),
                date=dt.date(2007, 3, 1) + dt.timedelta(days=7 * i),
                place="Afpi Lyon, salle 3",
                trainees=world["trainees"],
                by=world["staff"],
            )
            training_attendance_record(
                session=session,
                present={t.pk: present for t in world["trainees"]},
                by=world["trainer"].user,
            )


def test_the_modules_follow_the_cqpm_programme():
    modules = list(TrainingModule.objects.filter(is_active=True))
    assert len(modules) == 9
    assert any("conduire le changement" in m.title for m in modules)
    assert modules[-1].code == "evaluation-cqpm"
    assert sum(m.hours for m in modules) == 112


def test_both_approfondie_pilots_are_enrolled_but_ciblee_has_no_training(world):
    assert len(world["trainees"]) == 2
    with zeal_ignore():
        ciblee = enrolment_at(S.IN_PROGRESS, offer="ciblee")
    with pytest.raises(BusinessRuleError, match="ne comprend pas la formation"):
        training_enrol_pilots(enrolment=ciblee, by=world["staff"])


def test_the_training_cannot_be_validated_before_every_module_is_attended(world):
    modules = list(TrainingModule.objects.filter(is_active=True))
    follow_modules(world, modules[:-1])
    trainee = world["trainees"][0]
    with pytest.raises(BusinessRuleError, match="8 module\\(s\\) suivi\\(s\\) sur 9"):
        training_assess(trainee=trainee, passed=True, by=world["trainer"].user)
    trainee.refresh_from_db()
    assert trainee.status == Trainee.Status.IN_PROGRESS


def test_completion_produces_a_certificate_pdf(world, client):
    follow_modules(world, TrainingModule.objects.filter(is_active=True))
    trainee = training_assess(
        trainee=world["trainees"][0],
        passed=True,
        score=Decimal("15.50"),
        comment="Projet de réduction des encours mené à son terme.",
        by=world["trainer"].user,
    )
    assert trainee.status == Trainee.Status.COMPLETED
    assert trainee.certificate_number.startswith("PPME-CQPM-")

    client.force_login(world["trainer"].user)
    response = client.get(reverse("consultants:trainee_certificate", args=[trainee.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Attestation de formation" in text
    assert trainee.pilot.last_name in text
    assert "Fonderie Lyonnaise" in text
    assert trainee.certificate_number in text


def test_no_certificate_before_completion(world, client):
    client.force_login(world["staff"])
    trainee = world["trainees"][0]
    response = client.get(
        reverse("consultants:trainee_certificate", args=[trainee.pk]), follow=True
    )
    assert "qu&#x27;une fois la formation validée" in response.content.decode()


def test_a_failed_assessment_is_recorded_without_completion(world):
    follow_modules(world, TrainingModule.objects.filter(is_active=True))
    trainee = training_assess(
        trainee=world["trainees"][1], passed=False, score=Decimal("8"), by=world["staff"]
    )
    assert trainee.status == Trainee.Status.NOT_PASSED
    assert not trainee.certificate_number


def test_a_trainer_sees_only_their_sessions_and_trainees(world, client):
    follow_modules(world, TrainingModule.objects.filter(is_active=True)[:1])
    other = make_trainer("Roux")
    client.force_login(other.user)
    trainee = world["trainees"][0]
    assert client.get(reverse("consultants:trainee_detail", args=[trainee.pk])).status_code == 404
    page = client.get(reverse("consultants:training_home")).content.decode()
    assert "Fonderie Lyonnaise" not in page

    client.force_login(world["trainer"].user)
    page = client.get(reverse("consultants:training_home")).content.decode()
    assert "Fonderie Lyonnaise" in page
    assert client.get(reverse("consultants:trainee_detail", args=[trainee.pk])).status_code == 200

    client.force_login(world["enrolment"].company.owner)
    assert client.get(reverse("consultants:training_home")).status_code == 403


def test_the_company_page_shows_each_pilot_progress(world, client):
    modules = list(TrainingModule.objects.filter(is_active=True))
    follow_modules(world, modules[:3])
    client.force_login(world["enrolment"].company.owner)
    page = client.get(
        reverse("enrolment:company_detail", args=[world["enrolment"].company_id])
    ).content.decode()
    assert "Formation qualifiante des pilotes" in page
    for trainee in world["trainees"]:
        assert str(trainee.pilot) in page
    assert page.count("3 module(s) sur 9") == 2


def test_pilots_trained_count_on_the_home_panel(world, client):
    follow_modules(world, TrainingModule.objects.filter(is_active=True))
    with zeal_ignore():
        for trainee in world["trainees"]:
            training_assess(trainee=trainee, passed=True, by=world["staff"])
    assert pilots_trained_count(user=world["staff"])["trained"] == 2
    assert pilots_trained_count(user=staff_of("thesame"))["trained"] == 0
    client.force_login(UserFactory(region=True))
    page = client.get(reverse("core:home"), follow=True).content.decode()
    assert 'id="pilots-trained">2<' in page


def test_training_pages_issue_the_same_number_of_queries_for_few_and_many(world, client):
    modules = list(TrainingModule.objects.filter(is_active=True))
    follow_modules(world, modules[:1])
    client.force_login(world["staff"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("consultants:training_home")).status_code == 200
            assert (
                client.get(
                    reverse("consultants:trainee_detail", args=[world["trainees"][0].pk])
                ).status_code
                == 200
            )
            assert (
                client.get(
                    reverse("enrolment:company_detail", args=[world["enrolment"].company_id])
                ).status_code
                == 200
            )
        return len(ctx.captured_queries)

    few = count()
    with zeal_ignore():
        more = enrolment_at(S.IN_PROGRESS, offer="approfondie", staff=world["staff"])
        world["trainees"] += training_enrol_pilots(enrolment=more, by=world["staff"])
    follow_modules(world, modules[1:5])
    assert count() == few


def test_staff_enrol_pilots_from_the_company_page_and_schedule_a_session(db, client):
    staff = staff_of("afpi")
    trainer = make_trainer()
    with zeal_ignore():
        enrolment = enrolment_at(S.IN_PROGRESS, offer="approfondie", staff=staff, name="Forge Nord")
    client.force_login(staff)
    company_url = reverse("enrolment:company_detail", args=[enrolment.company_id])
    assert "pas encore inscrit(e)" in client.get(company_url).content.decode()
    client.post(reverse("consultants:training_enrol", args=[enrolment.pk]))
    trainees = list(Trainee.objects.filter(pilot__enrolment=enrolment))
    assert len(trainees) == 2

    module = TrainingModule.objects.get(code="cadrage-projet")
    url = reverse("consultants:training_session_create")
    bad = client.post(url, {"module": module.pk, "trainer": trainer.pk, "place": "Afpi Lyon"})
    assert "Ce champ est obligatoire." in bad.content.decode()
    assert 'value="Afpi Lyon"' in bad.content.decode()
    response = client.post(
        url,
        {
            "module": module.pk,
            "trainer": trainer.pk,
            "date": "2007-03-05",
            "place": "Afpi Lyon",
            "trainees": [t.pk for t in trainees],
        },
    )
    session = TrainingSession.objects.get()
    assert response["Location"] == reverse("consultants:training_session", args=[session.pk])
    assert session.relay.slug == "afpi"
    assert session.attendances.count() == 2

    client.force_login(trainer.user)
    assert client.get(url).status_code == 403  # trainers deliver, the relay organises


def test_a_trainer_home_lists_their_sessions(world, client):
    follow_modules(world, TrainingModule.objects.filter(is_active=True)[:2])
    client.force_login(world["trainer"].user)
    page = client.get(reverse("core:home"), follow=True).content.decode()
    assert "Mes sessions de formation" in page
    assert "Planifier et piloter un projet" in page
    client.force_login(make_trainer("Roux").user)
    page = client.get(reverse("core:home"), follow=True).content.decode()
    assert "Aucune session ne vous est confiée" in page


def test_certificate_goes_through_the_one_pdf_pipeline(world):
    """Same renderer as the agreements: tagged PDF/UA-1, print stylesheet and packaged font."""
    follow_modules(world, TrainingModule.objects.filter(is_active=True))
    trainee = training_assess(
        trainee=world["trainees"][0], passed=True, score=Decimal("14"), by=world["trainer"].user
    )
    content = training_certificate_pdf(trainee=trainee)
    pdf = PdfReader(io.BytesIO(content))
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # PDF/UA-1 identification
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("PME-Sans" in name for name in fonts), fonts  # core.pdf @font-face
    assert "Page 1 sur 1" in pdf.pages[0].extract_text()  # print.css page numbers
