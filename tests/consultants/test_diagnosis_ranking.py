"""Approfondie: the ranking reads the key weak themes of the company's submitted self-diagnosis."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from consultants.selectors import (
    consultant_suggestions,
    diagnosis_weak_theme_codes,
    weak_theme_codes_by_enrolment,
)
from diagnostics.models import Diagnosis, Questionnaire, Theme
from enrolment.models import Enrolment, EnrolmentState

from .factories import ExpertFactory, director, validated_enrolment
from .test_pages import _bulk_validated, _count

pytestmark = pytest.mark.django_db

STRONG = "80.0"


def _scores(**weak) -> dict:
    scores = dict.fromkeys(Theme.objects.values_list("code", flat=True), STRONG)
    scores.update(weak)
    return scores


def _submitted(enrolment, scores, *, days_ago=0, attach=True) -> Diagnosis:
    with zeal_ignore():
        return Diagnosis.objects.create(
            company=enrolment.company,
            enrolment=enrolment if attach else None,
            questionnaire=Questionnaire.objects.get(is_active=True),
            state=Diagnosis.State.SUBMITTED,
            theme_scores=scores,
            submitted_at=timezone.now() - dt.timedelta(days=days_ago),
        )


def test_weak_themes_come_from_the_latest_submitted_diagnosis_weakest_first():
    enrolment = validated_enrolment(offer="approfondie", theme=None)
    _submitted(enrolment, _scores(achats="10.0"), days_ago=30)  # older: ignored
    _submitted(enrolment, _scores(stocks="45.0", delais="20.0", qualite="49.9", achats="50.0"))
    with zeal_ignore():  # a draft never counts
        Diagnosis.objects.create(
            company=enrolment.company,
            questionnaire=Questionnaire.objects.get(is_active=True),
            theme_scores=_scores(maintenance="0.0"),
        )
    # under the 50 % threshold only (achats at 50.0 is not weak), weakest first
    assert diagnosis_weak_theme_codes(enrolment=enrolment) == ["delais", "stocks", "qualite"]


def test_no_theme_under_the_threshold_means_no_weak_themes():
    enrolment = validated_enrolment(offer="approfondie", theme=None)  # every theme at 60 %
    assert diagnosis_weak_theme_codes(enrolment=enrolment) == []


def test_approfondie_suggestions_put_the_weak_theme_specialists_first():
    enrolment = validated_enrolment(offer="approfondie", theme=None, dep="69")
    _submitted(enrolment, _scores(stocks="30.0", delais="40.0"))
    # the generalist covers the territory; the specialists do not: specialty still wins
    ExpertFactory(firm="généraliste local", specialties=["achats"], departements=["69"])
    ExpertFactory(firm="un thème faible", specialties=["delais"], departements=["38"])
    ExpertFactory(firm="deux thèmes faibles", specialties=["stocks", "delais"])

    suggestions = consultant_suggestions(enrolment=enrolment)

    assert [s.expert.firm for s in suggestions] == [
        "deux thèmes faibles",
        "un thème faible",
        "généraliste local",
    ]
    assert any("Stocks" in r and "Délais" in r for r in suggestions[0].reasons), suggestions[
        0
    ].reasons


def test_weak_themes_for_many_enrolments_take_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    enrolments = [validated_enrolment(offer="approfondie", theme=None) for _ in range(3)]
    for e in enrolments:
        _submitted(e, _scores(stocks="30.0"))
    enrolments = list(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]))
    with django_assert_num_queries(2):  # the diagnoses + the themes' order
        weak = weak_theme_codes_by_enrolment(enrolments)
    assert weak == {e.pk: ["stocks"] for e in enrolments}


def _diagnose_all(weak: str) -> None:
    with zeal_ignore():
        questionnaire = Questionnaire.objects.get(is_active=True)
        scores = _scores(**{weak: "20.0"})
        missing = Enrolment.objects.filter(
            state=EnrolmentState.VALIDATED, company__diagnoses__isnull=True
        ).select_related("company")
        Diagnosis.objects.bulk_create(
            Diagnosis(
                company=e.company,
                enrolment=e,
                questionnaire=questionnaire,
                state=Diagnosis.State.SUBMITTED,
                theme_scores=scores,
                submitted_at=timezone.now(),
            )
            for e in missing
        )


def test_queue_shows_weak_themes_in_constant_queries(client, monkeypatch):
    monkeypatch.setattr("consultants.views.QUEUE_PAGE_SIZE", 500)  # all 201 on one page
    client.force_login(director())
    approfondie = validated_enrolment(offer="approfondie", theme=None)
    _submitted(approfondie, _scores(maintenance="20.0"))
    _bulk_validated(5)
    _diagnose_all("stocks")
    few = _count(client, reverse("consultants:queue"))
    _bulk_validated(195, start=5)
    _diagnose_all("stocks")
    assert _count(client, reverse("consultants:queue")) == few
    html = client.get(reverse("consultants:queue")).content.decode()
    assert "Thèmes faibles : Maintenance" in html
