"""Home panel: pilots trained and the three-year continuation rate (until the Region's dashboard)."""

from __future__ import annotations

from enrolment.followups import continuation_rate, followup_counts

from .training import pilots_trained_count


def collective_results_context(user) -> dict:
    return {
        "training": pilots_trained_count(user=user),
        "continuation": continuation_rate(user=user),
        "followups": followup_counts(user=user),
    }
