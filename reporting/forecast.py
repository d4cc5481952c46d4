"""The enrolment forecast: the pace over a stated window of full months, and what it implies.

Pure arithmetic on counts (no database): `reporting.selectors` counts the enrolments of each
month of the window, `forecast` turns them into a pace, a projected date and a verdict.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WINDOW_MONTHS = 6
DAYS_PER_MONTH = Decimal("365.25") / 12


def month_start(day: dt.date, shift: int = 0) -> dt.date:
    """The first day of `day`'s month, moved `shift` months (negative: earlier)."""
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def window(today: dt.date, months: int = WINDOW_MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The last `months` full months before `today`'s month, oldest first, as (first, last) days."""
    first = month_start(today, -months)
    return [
        (month_start(first, i), month_start(first, i + 1) - dt.timedelta(days=1))
        for i in range(months)
    ]


@dataclass(frozen=True)
class Forecast:
    """What the pace of the window says about the target.

    `status` is one of:
    - "reached": the target is already reached;
    - "on_pace": at `per_month`, the target is reached on `reach_on`, before the programme ends;
    - "out_of_reach": at `per_month` the target cannot be reached by `ends_on` ("hors
      d'atteinte"); `needed_per_month` is the pace that would reach it;
    - "no_inscription": no enrolment at all yet, nothing to project.
    """

    status: str
    window_start: dt.date
    window_end: dt.date
    months: int
    counted: int  # enrolments in the window
    per_month: Decimal  # counted / months, one decimal
    remaining: int
    reach_on: dt.date | None
    ends_on: dt.date | None
    needed_per_month: Decimal | None

    @property
    def out_of_reach(self) -> bool:
        return self.status == "out_of_reach"


def forecast(
    *,
    monthly: list[int],
    total: int,
    goal: int,
    today: dt.date,
    ends_on: dt.date | None,
) -> Forecast:
    """The forecast from the counts of the window's months (oldest first, see `window`).

    Pace = enrolments of the window / number of months; the date the target is reached is
    today + remaining / pace (months of 365.25 / 12 days). Beyond `ends_on`, or with no
    enrolment in the window while some remain, the target is out of reach at this pace.
    """

    months = len(monthly)
    if not months:
        raise ValueError("the window has at least one month")
    periods = window(today, months)
    counted = sum(monthly)
    per_month = (Decimal(counted) / months).quantize(Decimal("0.1"), ROUND_HALF_UP)
    remaining = max(goal - total, 0)
    needed = None
    if ends_on and remaining:
        months_left = Decimal(max((ends_on - today).days, 0)) / DAYS_PER_MONTH
        needed = (
            (remaining / months_left).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if months_left
            else None
        )
    reach_on = None
    if not remaining:
        status = "reached"
    elif not total:
        status = "no_inscription"
    elif not counted:
        status = "out_of_reach"
    else:
        days = math.ceil(Decimal(remaining) * months * DAYS_PER_MONTH / Decimal(counted))
        reach_on = today + dt.timedelta(days=days)
        status = "out_of_reach" if ends_on and reach_on > ends_on else "on_pace"
    return Forecast(
        status=status,
        window_start=periods[0][0],
        window_end=periods[-1][1],
        months=months,
        counted=counted,
        per_month=per_month,
        remaining=remaining,
        reach_on=reach_on,
        ends_on=ends_on,
        needed_per_month=needed,
    )
