"""Suggestions: specialty first, then territory, then load; exclusions; reasons shown."""

import pytest
from zeal import zeal_ignore

from consultants import services
from consultants.models import Expert
from consultants.selectors import consultant_suggestions
from enrolment.models import Enrolment

from .factories import ExpertFactory, director, validated_enrolment

pytestmark = pytest.mark.django_db


def _names(suggestions):
    return [s.expert.firm for s in suggestions]


def _load(expert, n):
    boss = director()
    with zeal_ignore():
        for _ in range(n):
            services.consultant_assign(
                enrolment=validated_enrolment(dep="38"), consultant=expert, by=boss
            )


def test_specialty_then_territory_then_load():
    enrolment = validated_enrolment(theme="stocks", dep="69")
    ExpertFactory(firm="territoire seul", specialties=["qualite"], departements=["69"])
    ExpertFactory(firm="spécialité seule", specialties=["stocks"], departements=["38"])
    busy = ExpertFactory(
        firm="les deux, chargé", specialties=["stocks"], departements=["69"], capacity=4
    )
    ExpertFactory(firm="les deux, libre", specialties=["stocks"], departements=["69"], capacity=4)
    ExpertFactory(firm="rien", specialties=["achats"], departements=["01"])
    _load(busy, 2)

    suggestions = consultant_suggestions(enrolment=enrolment)

    assert _names(suggestions) == [
        "les deux, libre",
        "les deux, chargé",
        "spécialité seule",
        "territoire seul",
        "rien",
    ]
    top = suggestions[0].reasons
    assert any("Spécialité : Stocks" in r for r in top)
    assert any("Couvre le département 69" in r for r in top)
    assert "Charge : 2 mission(s) sur 4" in suggestions[1].reasons


def test_load_is_relative_to_capacity():
    enrolment = validated_enrolment(theme="stocks", dep="69")
    small = ExpertFactory(firm="1 sur 2", specialties=["stocks"], departements=["69"], capacity=2)
    big = ExpertFactory(firm="2 sur 6", specialties=["stocks"], departements=["69"], capacity=6)
    _load(small, 1)
    _load(big, 2)
    assert _names(consultant_suggestions(enrolment=enrolment)) == ["2 sur 6", "1 sur 2"]


def test_exclusions_not_active_full_and_conflicts():
    enrolment = validated_enrolment(theme="stocks", dep="69")
    for status in [s for s in Expert.Accreditation.values if s != "active"]:
        ExpertFactory(firm=status, accreditation=status, specialties=["stocks"])
    full = ExpertFactory(firm="complet", capacity=1, specialties=["stocks"])
    _load(full, 1)
    conflicted = ExpertFactory(firm="conflit", specialties=["stocks"])
    services.conflict_declare(
        expert=conflicted, company=enrolment.company, reason="Actionnaire", by=director()
    )
    ExpertFactory(firm="disponible", specialties=["achats"])
    ExpertFactory(firm="formateur", kind=Expert.Kind.TRAINER, specialties=["stocks"])
    assert _names(consultant_suggestions(enrolment=enrolment)) == ["disponible"]


def test_approfondie_ranks_on_the_number_of_weak_themes_covered():
    enrolment = validated_enrolment(offer="approfondie", theme=None)
    ExpertFactory(firm="un thème", specialties=["stocks"])
    ExpertFactory(firm="deux thèmes", specialties=["stocks", "delais"])
    ExpertFactory(firm="aucun", specialties=["achats"])
    suggestions = consultant_suggestions(
        enrolment=enrolment, weak_theme_codes=["stocks", "delais", "qualite"]
    )
    assert _names(suggestions) == ["deux thèmes", "un thème", "aucun"]


def test_ranking_takes_a_bounded_number_of_queries(django_assert_num_queries):
    enrolment = validated_enrolment(theme="stocks", dep="69")
    with zeal_ignore():
        for i in range(30):
            ExpertFactory(firm=f"c{i}", specialties=["stocks"], departements=["69"])
    enrolment = Enrolment.objects.select_related(
        "company__departement", "problem_theme", "offer"
    ).get(pk=enrolment.pk)
    with django_assert_num_queries(3):  # ranking + specialties + départements
        consultant_suggestions(enrolment=enrolment, limit=30)
