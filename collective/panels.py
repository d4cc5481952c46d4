"""Home panel: a short summary of pilots trained, the three-year continuation rate and the
follow-ups awaiting an answer; the detail by relay and offer is on the Region's dashboard
(funding.selectors.dashboard), which the panel links to."""

from __future__ import annotations

from consultants.training import pilots_trained_count

from .followups import continuation_rate, followup_counts


def collective_results_context(user) -> dict:
    return {
        "training": pilots_trained_count(user=user),
        "continuation": continuation_rate(user=user),
        "followups": followup_counts(user=user),
    }
