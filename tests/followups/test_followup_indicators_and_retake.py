"""Follow-up form: the mission's indicators pre-filled (values stored structured) and the
self-diagnosis retake (login needed, then straight to the questionnaire)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from collective.followups import followup_token
from collective.models import FollowUp
from diagnostics.models import Diagnosis
from tests.documents.test_closing_report import _closed_mission

pytestmark = pytest.mark.django_db


def _url(followup):
    token = followup_token(followup=followup)
    return reverse("collective:followup_answer", kwargs={"pk": followup.pk, "token": token})


def _at(day: dt.date):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))), tick=False
    )


@pytest.fixture
def followup():
    enrolment = _closed_mission()
    return FollowUp.objects.select_related("enrolment__company").get(
        enrolment=enrolment, due_months=6
    )


def test_the_form_lists_the_mission_indicators_and_stores_their_values(followup, client):
    with _at(followup.due_on):
        url = _url(followup)
        html = client.get(url).content.decode()
        assert "Dernière valeur — Valeur du stock (k€)" in html
        assert "À la clôture : 395,00 k€ (cible 360,00)" in html
        field = next(k for k in html.split('name="')[1:] if k.startswith("indicator_"))
        name = field.split('"')[0]

        response = client.post(
            url,
            {
                "still_running": "1",
                name: "372,5",  # typed the French way
                "indicators_tracked": "Taux de service",
                "latest_values": "96 %",
            },
        )
        assert "Merci pour votre réponse" in response.content.decode()
    followup.refresh_from_db()
    assert followup.indicator_values == [
        {"indicator": "Valeur du stock", "unit": "k€", "value": "372.50"}
    ]
    assert followup.indicators_tracked == "Taux de service"


def test_an_indicator_left_blank_is_not_stored_and_a_bad_value_is_refused(followup, client):
    with _at(followup.due_on):
        url = _url(followup)
        html = client.get(url).content.decode()
        name = next(k for k in html.split('name="')[1:] if k.startswith("indicator_")).split('"')[0]
        bad = client.post(url, {"still_running": "1", name: "beaucoup", "comment": "à garder"})
        assert "Saisissez un nombre." in bad.content.decode()
        assert "à garder" in bad.content.decode()
        client.post(url, {"still_running": "0", name: ""})
    followup.refresh_from_db()
    assert followup.answered_at is not None
    assert followup.indicator_values == []


def test_retaking_the_diagnosis_asks_to_log_in_then_lands_on_it(followup, client):
    owner = followup.enrolment.company.owner
    retake = reverse("enrolment:diagnosis", args=[followup.enrolment_id])
    with _at(followup.due_on):
        html = client.get(_url(followup)).content.decode()
        assert "Me connecter pour refaire l'autodiagnostic" in html
        assert f"{reverse('login')}?next={quote(retake, safe='')}" in html

        client.force_login(owner)
        html = client.get(_url(followup)).content.decode()
        assert f'href="{retake}"' in html
        page = client.get(retake)  # reading the page starts nothing
        assert page.status_code == 200 and "Refaire l'autodiagnostic" in page.content.decode()
        assert not Diagnosis.objects.filter(state="draft").exists()
        response = client.post(retake)
    draft = Diagnosis.objects.get(company=followup.enrolment.company, state="draft")
    assert response.url == reverse("diagnostics:theme", args=[draft.pk, 1])
    assert draft.purpose == Diagnosis.Purpose.FOLLOW_UP  # a follow-up, not the closing one
