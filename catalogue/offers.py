"""What each kind of offer asks of a company: one definition each, used everywhere.

*Performance ciblée* (`CIBLEE`) treats one acute problem the company chooses: one action plan,
no key issues. *Performance approfondie* (`APPROFONDIE`) works on two or three key issues agreed
with the owner (`KEY_ISSUES_MIN` to `KEY_ISSUES_MAX`), each with its action plans. The number of
internal pilots is the tariff's (one when a historical tariff does not say). The offer codes are
the ones the self-diagnosis recommends (`diagnostics.scoring`).
"""

from __future__ import annotations

from diagnostics.scoring import APPROFONDIE, CIBLEE

__all__ = [
    "APPROFONDIE",
    "CIBLEE",
    "KEY_ISSUES_MAX",
    "KEY_ISSUES_MIN",
    "duration_months",
    "is_targeted",
    "key_issue_room",
    "pilots_required",
]

#: An approfondie mission agrees this many key issues with the owner, at least and at most.
KEY_ISSUES_MIN = 2
KEY_ISSUES_MAX = 3


def is_targeted(offer) -> bool:
    """A ciblée offer: one problem chosen by the company, one action plan, no key issues."""
    return offer is not None and offer.code == CIBLEE


def duration_months(tariff) -> int:
    """A mission's planned length: the tariff's, or ciblée's 4 months when it is unknown."""
    return (tariff.duration_months if tariff is not None else None) or 4


def pilots_required(tariff) -> int:
    """How many internal pilots the company names for this tariff (1 for ciblée, 2 for
    approfondie; 1 when a historical tariff does not say)."""
    return (tariff.pilots if tariff is not None else None) or 1


def key_issue_room(count: int) -> bool:
    """Whether an approfondie mission with `count` key issues may agree one more."""
    return count < KEY_ISSUES_MAX
