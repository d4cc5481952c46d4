"""Scoring and the offer recommendation: pure functions, no database.

Scores are percentages of maturity (0 = nothing in place, 100 = exemplary),
one decimal, computed with Decimal. Thresholds come from
`settings.DIAGNOSIS_THRESHOLDS` (see `thresholds()`), so the programme can
tune them without touching the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

ONE_DECIMAL = Decimal("0.1")

DEFAULT_THRESHOLDS = {
    # a theme scoring below this percentage is "weak"
    "weak_below": Decimal("50"),
    # a weak theme scoring below this percentage is "acute"
    "acute_below": Decimal("35"),
    # this many weak themes or more point to approfondie
    "several_weak": 2,
    # a "small firm" has fewer employees than this
    "small_firm_headcount": 50,
}

CIBLEE = "ciblee"
APPROFONDIE = "approfondie"


def thresholds(overrides: Mapping | None = None) -> dict:
    values = {**DEFAULT_THRESHOLDS, **getattr(settings, "DIAGNOSIS_THRESHOLDS", {})}
    if overrides:
        values.update(overrides)
    values["weak_below"] = Decimal(str(values["weak_below"]))
    values["acute_below"] = Decimal(str(values["acute_below"]))
    return values


def _number(value: Decimal) -> str:
    """50 → '50', 37.5 → '37,5': the French way (the active language's decimal mark)."""
    value = Decimal(value)
    decimals = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=decimals)


def _percent(value: Decimal) -> str:
    """A theme's score as the owner reads it: '10,0 %' (one decimal, as in the table)."""
    return f"{number_format(Decimal(value), decimal_pos=1)}\u00a0%"


def _pct(total: int, count: int, max_value: int) -> Decimal:
    if count == 0 or max_value == 0:
        return Decimal("0.0")
    return (Decimal(total) * 100 / (Decimal(count) * max_value)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def theme_scores(
    answers: Mapping[str, int], question_themes: Mapping[str, str], *, max_value: int = 4
) -> dict[str, Decimal]:
    """{question code: level} and {question code: theme code} → {theme code: percentage}.

    Only answered questions count; a theme with no answer is left out.
    """
    totals: dict[str, list[int]] = {}
    for code, theme in question_themes.items():
        if code in answers and answers[code] is not None:
            totals.setdefault(theme, []).append(int(answers[code]))
    return {theme: _pct(sum(v), len(v), max_value) for theme, v in totals.items()}


def overall_score(scores: Mapping[str, Decimal]) -> Decimal:
    if not scores:
        return Decimal("0.0")
    return (sum(scores.values(), Decimal(0)) / len(scores)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def weakest_themes(
    scores: Mapping[str, Decimal], *, order: Iterable[str] = (), n: int = 3
) -> list[str]:
    """The n lowest-scoring themes; ties keep the questionnaire's order."""
    position = {code: i for i, code in enumerate(order)}
    return sorted(scores, key=lambda c: (scores[c], position.get(c, 999)))[:n]


@dataclass
class Recommendation:
    offer: str
    reasons: list[str] = field(default_factory=list)
    focus_theme: str | None = None
    weak_themes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "offer": self.offer,
            "reasons": self.reasons,
            "focus_theme": self.focus_theme,
            "weak_themes": self.weak_themes,
        }


def recommend(
    scores: Mapping[str, Decimal],
    *,
    headcount: int | None,
    theme_names: Mapping[str, str] | None = None,
    order: Iterable[str] = (),
    overrides: Mapping | None = None,
) -> Recommendation:
    """ciblée or approfondie, with the reasons a company reads.

    - several weak themes (≥ `several_weak`) → approfondie;
    - one weak theme (or fewer than `several_weak`): ciblée on the weakest when the firm is small (headcount
      below `small_firm_headcount`) or the theme is acute; otherwise approfondie;
    - no weak theme → ciblée on the weakest theme (consolidation).
    """
    t = thresholds(overrides)
    names = theme_names or {}
    order = list(order)
    weakest = weakest_themes(scores, order=order, n=len(scores))
    weak = [c for c in weakest if scores[c] < t["weak_below"]]

    def label(code: str) -> str:
        return f"{names.get(code, code)} ({_percent(scores[code])})"

    if len(weak) >= t["several_weak"]:
        return Recommendation(
            offer=APPROFONDIE,
            weak_themes=weak,
            reasons=[
                _(
                    "%(n)s thèmes sont en dessous de %(threshold)s %% : %(themes)s. "
                    "Plusieurs faiblesses liées demandent un accompagnement approfondi "
                    "(12 mois, 2 à 3 chantiers)."
                )
                % {
                    "n": len(weak),
                    "threshold": _number(t["weak_below"]),
                    "themes": ", ".join(label(c) for c in weak),
                }
            ],
        )
    if weak:  # fewer weak themes than "several": one problem to act on, the weakest
        theme = weak[0]
        small = headcount is not None and headcount < t["small_firm_headcount"]
        acute = scores[theme] < t["acute_below"]
        if small or acute:
            why = []
            if acute:
                why.append(
                    _("le thème %(theme)s est nettement en retrait (moins de %(acute)s %%)")
                    % {"theme": label(theme), "acute": _number(t["acute_below"])}
                )
            else:
                why.append(
                    _("le thème %(theme)s est le plus faible, sous %(threshold)s %%")
                    % {"theme": label(theme), "threshold": _number(t["weak_below"])}
                )
            if small:
                why.append(
                    _("votre entreprise compte moins de %(n)s salariés")
                    % {"n": t["small_firm_headcount"]}
                )
            return Recommendation(
                offer=CIBLEE,
                focus_theme=theme,
                weak_themes=weak,
                reasons=[
                    _("Une faiblesse aiguë et bien délimitée : %(why)s. ")
                    % {"why": " ; ".join(why)}
                    + _("Une action ciblée de 4 mois sur ce problème est recommandée.")
                ],
            )
        return Recommendation(
            offer=APPROFONDIE,
            focus_theme=theme,
            weak_themes=weak,
            reasons=[
                _(
                    "Le thème %(theme)s est faible et, dans une entreprise de %(n)s salariés "
                    "ou plus, il touche plusieurs services : un accompagnement approfondi est "
                    "recommandé."
                )
                % {"theme": label(theme), "n": t["small_firm_headcount"]}
            ],
        )
    focus = weakest[0] if weakest else None
    return Recommendation(
        offer=CIBLEE,
        focus_theme=focus,
        weak_themes=[],
        reasons=[
            _(
                "Aucun thème n'est en dessous de %(threshold)s %% : une action ciblée sur votre "
                "thème le plus faible, %(theme)s, consolidera vos acquis."
            )
            % {"threshold": _number(t["weak_below"]), "theme": label(focus) if focus else "—"}
        ],
    )
