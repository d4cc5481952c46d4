"""Scores per theme and overall, the three weakest themes, and the recommendation thresholds."""

from decimal import Decimal

from diagnostics.scoring import (
    APPROFONDIE,
    CIBLEE,
    overall_score,
    recommend,
    theme_scores,
    weakest_themes,
)

QUESTIONS = {"a1": "stocks", "a2": "stocks", "b1": "qualite", "b2": "qualite", "c1": "achats"}


def D(x):
    return Decimal(str(x))


def test_theme_score_is_the_percentage_of_maturity():
    scores = theme_scores({"a1": 4, "a2": 2, "b1": 0, "b2": 1, "c1": 3}, QUESTIONS, max_value=4)
    assert scores == {"stocks": D("75.0"), "qualite": D("12.5"), "achats": D("75.0")}


def test_unanswered_questions_do_not_count():
    assert theme_scores({"a1": 4}, QUESTIONS) == {"stocks": D("100.0")}


def test_overall_is_the_mean_of_themes_rounded_to_one_decimal():
    assert overall_score({"x": D("75.0"), "y": D("12.5"), "z": D("75.0")}) == D("54.2")
    assert overall_score({}) == D("0.0")


def test_three_weakest_ties_keep_questionnaire_order():
    scores = {"a": D(50), "b": D(10), "c": D(50), "d": D(80), "e": D(10)}
    assert weakest_themes(scores, order=["a", "b", "c", "d", "e"]) == ["b", "e", "a"]


def _scores(**kw):
    base = {"reactivite": D(70), "delais": D(65), "couts": D(60), "stocks": D(80)}
    base.update({k: D(v) for k, v in kw.items()})
    return base


def test_several_weak_themes_point_to_approfondie():
    rec = recommend(_scores(stocks=30, couts=45), headcount=20, theme_names={"stocks": "Stocks"})
    assert rec.offer == APPROFONDIE
    assert rec.weak_themes == ["stocks", "couts"]
    assert "2 thèmes" in rec.reasons[0] and "Stocks (30,0\u00a0%)" in rec.reasons[0]


def test_reasons_write_scores_the_french_way():
    rec = recommend(
        _scores(couts="10.0", stocks="37.5"), headcount=20, theme_names={"couts": "Coûts"}
    )
    assert "Coûts (10,0\u00a0%)" in rec.reasons[0] and "37,5" in rec.reasons[0]
    assert "10.0" not in rec.reasons[0] and "37.5" not in rec.reasons[0]


def test_one_weak_theme_in_a_small_firm_points_to_ciblee_on_it():
    rec = recommend(_scores(stocks=45), headcount=20)
    assert rec.offer == CIBLEE and rec.focus_theme == "stocks"
    assert "moins de 50 salariés" in rec.reasons[0]


def test_one_acute_theme_in_a_larger_firm_is_still_ciblee():
    rec = recommend(_scores(stocks=20), headcount=120)
    assert rec.offer == CIBLEE and rec.focus_theme == "stocks"
    assert "nettement en retrait" in rec.reasons[0]


def test_one_moderately_weak_theme_in_a_larger_firm_is_approfondie():
    rec = recommend(_scores(stocks=45), headcount=120)
    assert rec.offer == APPROFONDIE and rec.focus_theme == "stocks"


def test_no_weak_theme_gives_ciblee_on_the_weakest():
    rec = recommend(_scores(), headcount=120)
    assert rec.offer == CIBLEE and rec.focus_theme == "couts" and rec.weak_themes == []


def test_boundary_a_theme_at_the_threshold_is_not_weak():
    rec = recommend(_scores(stocks=50, couts=50), headcount=20)
    assert rec.weak_themes == []


def test_thresholds_are_configurable_in_settings(settings):
    settings.DIAGNOSIS_THRESHOLDS = {"weak_below": 70, "several_weak": 3}
    rec = recommend(_scores(), headcount=20)  # delais 65 and couts 60 now weak: 2 < 3
    assert rec.weak_themes == ["couts", "delais"]
    assert rec.offer == CIBLEE and rec.focus_theme == "couts"  # 2 weak < 3: still one problem
    settings.DIAGNOSIS_THRESHOLDS = {"weak_below": 70, "several_weak": 2}
    assert recommend(_scores(), headcount=20).offer == APPROFONDIE
    settings.DIAGNOSIS_THRESHOLDS = {"small_firm_headcount": 10}
    assert recommend(_scores(stocks=45), headcount=20).offer == APPROFONDIE
