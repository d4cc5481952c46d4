"""Outcome figures of consultants (missions closed, satisfaction, indicators, continuation).

The figures need data of layers above this app (satisfaction answers and follow-ups live in
`collective`): that app registers its provider from its `AppConfig.ready()`, and the pages
of this app (pool, profile, suggestions) ask through `outcomes_for()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OutcomeFigures:
    missions_closed: int = 0
    answers: int = 0
    #: mean of the four consultant criteria over the answers (1–5), None without answers
    satisfaction_mean: Decimal | None = None
    programme_mean: Decimal | None = None
    recommend_yes: int = 0
    indicators: int = 0
    indicators_reached: int = 0
    #: closed missions old enough for the continuation follow-up, and those still progressing
    closed_long_ago: int = 0
    still_progressing: int = 0

    @property
    def indicators_share(self) -> Decimal | None:
        return _share(self.indicators_reached, self.indicators)

    @property
    def progressing_share(self) -> Decimal | None:
        return _share(self.still_progressing, self.closed_long_ago)

    @property
    def recommend_share(self) -> Decimal | None:
        return _share(self.recommend_yes, self.answers)

    @property
    def small_sample(self) -> bool:
        """Fewer answers than the threshold: the mean is shown with its count, never alone."""
        return self.answers < settings.SATISFACTION_SMALL_SAMPLE


EMPTY = OutcomeFigures()

_provider: Callable[[Iterable[int]], dict[int, OutcomeFigures]] | None = None


def register_outcomes_provider(provider: Callable[[Iterable[int]], dict]) -> None:
    global _provider
    _provider = provider


def outcomes_for(expert_ids: Iterable[int]) -> dict[int, OutcomeFigures]:
    """{expert id: figures} for every id asked (empty figures when nothing is known)."""
    ids = list(expert_ids)
    found = _provider(ids) if _provider is not None and ids else {}
    return {pk: found.get(pk, EMPTY) for pk in ids}


def outcome_texts(o: OutcomeFigures, *, expert_pk: int) -> dict:
    """What `consultants/outcomes.jinja` shows of a consultant's figures, in words (the count of
    answers always beside the mean; "peu d'avis" under the small-sample threshold)."""
    return {
        "expert_pk": expert_pk,
        "missions": ngettext(
            "%(n)s mission clôturée", "%(n)s missions clôturées", o.missions_closed
        )
        % {"n": o.missions_closed},
        "satisfaction": _("Satisfaction"),
        "mean": f"{floatformat(o.satisfaction_mean, 1)}/5" if o.answers else "",
        "answers": ngettext("%(n)s avis", "%(n)s avis", o.answers) % {"n": o.answers},
        "small_sample": (
            (_("peu d'avis"), _("Moyenne sur moins de cinq avis : peu significative."))
            if o.answers and o.small_sample
            else None
        ),
        "indicators_label": _("Indicateurs atteints"),
        "indicators": (
            f"{floatformat(o.indicators_share, 1)} % ({o.indicators_reached}/{o.indicators})"
            if o.indicators
            else ""
        ),
        "progressing_label": _("Toujours en progrès à 36 mois"),
        "progressing": (
            f"{floatformat(o.progressing_share, 1)} % ({o.still_progressing}/{o.closed_long_ago})"
            if o.closed_long_ago
            else ""
        ),
    }
