"""Questionnaire versions, drafts that resume, frozen answers, results and comparison."""

import pytest
from django.urls import reverse
from zeal import zeal_ignore

from core.exceptions import BusinessRuleError
from diagnostics.models import Diagnosis, Question, Questionnaire
from diagnostics.services import (
    diagnosis_save_answers,
    diagnosis_start,
    diagnosis_submit,
    questionnaire_activate,
    questionnaire_new_version,
)
from tests.enrolment.helpers import answer_all, diagnosed_enrolment
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_version_one_is_loaded_with_every_theme():
    q = Questionnaire.objects.get(is_active=True)
    assert q.version == 1
    per_theme = {}
    for theme in q.questions.values_list("theme__code", flat=True):
        per_theme[theme] = per_theme.get(theme, 0) + 1
    assert len(per_theme) >= 8 and min(per_theme.values()) >= 4
    assert len(q.scale) == 5


def test_draft_resumes_and_keeps_answers():
    company = CompanyFactory()
    draft = diagnosis_start(company=company, by=company.owner)
    diagnosis_save_answers(diagnosis=draft, answers={"rc1": 2})
    again = diagnosis_start(company=company, by=company.owner)
    assert again.pk == draft.pk and again.answers == {"rc1": 2}


def test_unknown_level_is_refused():
    company = CompanyFactory()
    draft = diagnosis_start(company=company, by=company.owner)
    with pytest.raises(BusinessRuleError, match="invalide"):
        diagnosis_save_answers(diagnosis=draft, answers={"rc1": 9})


def test_submit_requires_every_answer_then_freezes():
    company = CompanyFactory()
    draft = diagnosis_start(company=company, by=company.owner)
    diagnosis_save_answers(diagnosis=draft, answers={"rc1": 2})
    with pytest.raises(BusinessRuleError, match="sans réponse"):
        diagnosis_submit(diagnosis=draft, by=company.owner, headcount=40)
    answer_all(draft)
    diagnosis_submit(diagnosis=draft, by=company.owner, headcount=40)
    assert draft.state == Diagnosis.State.SUBMITTED
    assert draft.theme_scores["stocks"] == "0.0"
    with pytest.raises(BusinessRuleError, match="déjà été soumis"):
        diagnosis_save_answers(diagnosis=draft, answers={"rc1": 4})


def test_a_new_version_leaves_answered_ones_untouched():
    enrolment = diagnosed_enrolment()
    v1 = Questionnaire.objects.get(version=1)
    v2 = questionnaire_new_version(questionnaire=v1)
    Question.objects.filter(questionnaire=v2, code="rc1").update(text="Nouvelle formulation")
    questionnaire_activate(questionnaire=v2)
    assert Question.objects.get(questionnaire=v1, code="rc1").text != "Nouvelle formulation"
    assert enrolment.diagnoses.get().questionnaire == v1
    later = diagnosis_start(company=enrolment.company, by=enrolment.company.owner)
    assert later.questionnaire == v2


def test_results_page_shows_chart_weakest_recommendation_and_comparison(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    owner = enrolment.company.owner
    second = diagnosis_start(company=enrolment.company, by=owner, purpose="closing")
    answer_all(second, weak=(), strong_level=3)
    diagnosis_submit(diagnosis=second, by=owner, headcount=40)
    client.force_login(owner)
    html = client.get(reverse("diagnostics:results", args=[second.pk])).content.decode()
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    # the comparison series, each named by its date
    first_date = enrolment.diagnoses.get().submitted_at.strftime("%d/%m/%Y")
    assert f"Autodiagnostic du {first_date}" in html
    assert "Vos trois thèmes les plus faibles" in html
    assert "Recommandation" in html
    svg = client.get(reverse("diagnostics:chart", args=[second.pk]))
    assert svg["Content-Type"] == "image/svg+xml"


def test_autosave_endpoint_saves_a_draft(client):
    company = CompanyFactory()
    draft = diagnosis_start(company=company, by=company.owner)
    client.force_login(company.owner)
    url = reverse("diagnostics:theme", args=[draft.pk, 1])
    response = client.post(url, {"q-rc1": "3"}, headers={"X-Autosave": "1"})
    assert response.json() == {
        "saved": True,
        "count": 1,
        "total": 45,
        "theme_answered": 1,
        "themes_complete": 0,
    }
    page = client.get(url).content.decode()
    assert 'id="q-rc1-3" value="3" checked' in page


def test_someone_elses_diagnosis_is_404(client):
    company = CompanyFactory()
    draft = diagnosis_start(company=company, by=company.owner)
    with zeal_ignore():
        other = CompanyFactory().owner
    client.force_login(other)
    assert client.get(reverse("diagnostics:take", args=[draft.pk])).status_code == 404
