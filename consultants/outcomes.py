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
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import number_format
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
    """{expert id: figures} for every id asked (empty figures when nothing is known).

    Each consultant's figures are kept `OUTCOMES_CACHE_SECONDS` in the cache (years of
    missions, answers and follow-ups: four grouped queries, a third of the pool's page); only
    those not in the cache are computed, and the cache is keyed by day (the continuation
    cut-off moves with the date)."""
    ids = list(expert_ids)
    seconds = settings.OUTCOMES_CACHE_SECONDS
    today = timezone.localdate().isoformat()
    keys = {pk: f"consultant-outcomes:{today}:{pk}" for pk in ids}
    cached = cache.get_many(keys.values()) if seconds and ids else {}
    figures = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in ids if pk not in figures]
    if missing and _provider is not None:
        found = _provider(missing)
        fresh = {pk: found.get(pk, EMPTY) for pk in missing}
        figures.update(fresh)
        if seconds:
            cache.set_many({keys[pk]: f for pk, f in fresh.items()}, seconds)
    return {pk: figures.get(pk, EMPTY) for pk in ids}


def outcome_labels() -> dict:
    """The words of `consultants/outcomes.jinja` that do not depend on the figures (a table
    translates them once for all its rows)."""
    return {
        "satisfaction": _("Satisfaction"),
        "small_sample": (_("peu d'avis"), _("Moyenne sur moins de cinq avis : peu significative.")),
        "indicators_label": _("Indicateurs atteints"),
        "progressing_label": _("Toujours en progrès à 36 mois"),
    }


def _decimal(value: Decimal) -> str:
    """A share or mean, already rounded to one decimal, the French way ("4,2")."""
    return number_format(value, decimal_pos=1)


def outcome_texts(o: OutcomeFigures, *, expert_pk: int, labels: dict | None = None) -> dict:
    """What `consultants/outcomes.jinja` shows of a consultant's figures, in words (the count of
    answers always beside the mean; "peu d'avis" under the small-sample threshold)."""
    labels = labels or outcome_labels()
    return {
        **labels,
        "expert_pk": expert_pk,
        "missions": ngettext(
            "%(n)s mission clôturée", "%(n)s missions clôturées", o.missions_closed
        )
        % {"n": o.missions_closed},
        "mean": f"{_decimal(o.satisfaction_mean)}/5" if o.answers else "",
        "answers": ngettext("%(n)s avis", "%(n)s avis", o.answers) % {"n": o.answers},
        "small_sample": labels["small_sample"] if o.answers and o.small_sample else None,
        "indicators": (
            f"{_decimal(o.indicators_share)} % ({o.indicators_reached}/{o.indicators})"
            if o.indicators
            else ""
        ),
        "progressing": (
            f"{_decimal(o.progressing_share)} % ({o.still_progressing}/{o.closed_long_ago})"
            if o.closed_long_ago
            else ""
        ),
    }
