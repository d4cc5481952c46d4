"""De minimis rules as pure functions: the period a regulation counts, the aid in it, the
headroom left under its ceiling.

The regulation in force on the **grant date** applies; an aid counts as granted on the day the
legal right is given (for the programme: the agreement's signature), not when it is paid.

- Regulations (CE) 1998/2006 and (UE) 1407/2013 count the current fiscal year and the two
  before it (`DeMinimisWindow.FISCAL_YEARS`). The portal does not know a company's fiscal year
  end: fiscal years are taken as calendar years unless `fiscal_year_start_month` says otherwise.
- Regulation (UE) 2023/2831 counts *any* period of three years (`ROLLING_YEARS`): the window
  ending on the grant date starts three years earlier, the day after the same date — an aid
  granted on 15/03/2024 still counts on 14/03/2027 and no longer on 15/03/2027.

Every aid in the window counts, whatever regulation it was granted under. Amounts are Decimal,
never floats; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from .models import DeMinimisWindow

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Window:
    """A period of dates, both ends included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def window_for(regulation, on: dt.date, *, fiscal_year_start_month: int = 1) -> Window:
    """The period whose aid counts towards `regulation`'s ceiling for an aid granted on `on`."""
    years = regulation.years
    if regulation.window == DeMinimisWindow.ROLLING_YEARS:
        return Window(on - relativedelta(years=years) + dt.timedelta(days=1), on)
    # fiscal years: the one containing `on` and the (years - 1) before it
    year = on.year if on.month >= fiscal_year_start_month else on.year - 1
    return Window(dt.date(year - (years - 1), fiscal_year_start_month, 1), on)


def regulation_on(regulations: Iterable, day: dt.date):
    """The regulation of `regulations` in force on `day` (None if none): many rows, one read."""
    for regulation in sorted(regulations, key=lambda r: r.valid_from, reverse=True):
        if regulation.valid_from <= day and (
            regulation.valid_to is None or day <= regulation.valid_to
        ):
            return regulation
    return None


def aid_in_window(aids: Iterable[tuple[dt.date, Decimal]], window: Window) -> Decimal:
    """The sum of the aid amounts granted within `window` ((grant date, amount) pairs)."""
    return sum((Decimal(amount) for day, amount in aids if day in window), ZERO)


def headroom(*, ceiling: Decimal, already: Decimal, new: Decimal = ZERO) -> Decimal:
    """What is left under `ceiling` once `already` and `new` are counted (negative: exceeded)."""
    return Decimal(ceiling) - Decimal(already) - Decimal(new)


@dataclass(frozen=True)
class Assessment:
    """A new aid of `aid_equivalent` granted on `on`, against the ceiling of `regulation`."""

    regulation: object
    on: dt.date
    window: Window
    declared: Decimal  # aid the company declared in the window
    previous: Decimal  # aid already granted by the programme in the window
    aid_equivalent: Decimal  # the new aid

    @property
    def ceiling(self) -> Decimal:
        return Decimal(self.regulation.ceiling)

    @property
    def already(self) -> Decimal:
        return self.declared + self.previous

    @property
    def total(self) -> Decimal:
        return self.already + self.aid_equivalent

    @property
    def headroom_before(self) -> Decimal:
        return headroom(ceiling=self.ceiling, already=self.already)

    @property
    def headroom(self) -> Decimal:
        return headroom(ceiling=self.ceiling, already=self.already, new=self.aid_equivalent)

    @property
    def exceeds(self) -> bool:
        return self.headroom < 0


def assess(
    *,
    regulation,
    on: dt.date,
    declared: Iterable[tuple[dt.date, Decimal]],
    previous: Iterable[tuple[dt.date, Decimal]] = (),
    aid_equivalent: Decimal,
    fiscal_year_start_month: int = 1,
) -> Assessment:
    """The ceiling check of a new aid granted on `on` (see the module docstring)."""
    window = window_for(regulation, on, fiscal_year_start_month=fiscal_year_start_month)
    return Assessment(
        regulation=regulation,
        on=on,
        window=window,
        declared=aid_in_window(declared, window),
        previous=aid_in_window(previous, window),
        aid_equivalent=Decimal(aid_equivalent),
    )
