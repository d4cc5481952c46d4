"""The enrolment forecast on hand-made series: pace over the last six full months, the date
the target is reached at that pace, and "hors d'atteinte" when it cannot be by the end."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.forecast import forecast, window

TODAY = dt.date(2026, 12, 3)
END = dt.date(2027, 12, 31)


def test_the_window_is_the_last_six_full_months():
    months = window(TODAY)
    assert months[0] == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert months[-1] == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert len(months) == 6
    assert window(dt.date(2027, 1, 15))[0][0] == dt.date(2026, 7, 1)  # across the year


def test_on_pace_the_date_is_remaining_divided_by_the_pace():
    # 600 enrolments in six months: 100 a month; 1,000 to go → 10 months ahead.
    f = forecast(monthly=[100] * 6, total=1000, goal=2000, today=TODAY, ends_on=END)
    assert f.status == "on_pace"
    assert f.per_month == Decimal("100.0") and f.counted == 600 and f.remaining == 1000
    assert f.reach_on == TODAY + dt.timedelta(days=305)  # 10 × 365.25 / 12 = 304.4 → 305
    assert f.reach_on < END
    assert (f.window_start, f.window_end) == (dt.date(2026, 6, 1), dt.date(2026, 11, 30))


def test_behind_pace_the_target_is_out_of_reach_with_the_pace_it_would_need():
    # The case: 151 / 2,000 at about 25 a month cannot end in December 2026.
    f = forecast(monthly=[20, 30, 25, 25, 30, 20], total=151, goal=2000, today=TODAY, ends_on=END)
    assert f.per_month == Decimal("25.0")
    assert f.status == "out_of_reach" and f.out_of_reach
    assert f.reach_on > END  # 1,849 / 25 ≈ 74 months: years after the end
    assert f.needed_per_month == Decimal("143.2")  # 1,849 over 393 days = 12.9 months left
    assert f.needed_per_month > f.per_month


def test_a_silent_window_is_out_of_reach_without_a_date():
    f = forecast(monthly=[0] * 6, total=40, goal=100, today=TODAY, ends_on=END)
    assert f.status == "out_of_reach" and f.reach_on is None and f.per_month == 0


def test_no_inscription_yet_gives_no_forecast():
    f = forecast(monthly=[0] * 6, total=0, goal=2000, today=TODAY, ends_on=END)
    assert f.status == "no_inscription"
    assert f.reach_on is None and f.counted == 0 and f.remaining == 2000


def test_a_reached_target_needs_nothing_more():
    f = forecast(monthly=[5] * 6, total=2000, goal=2000, today=TODAY, ends_on=END)
    assert f.status == "reached" and f.remaining == 0 and f.reach_on is None
    assert f.needed_per_month is None


def test_without_an_end_date_any_pace_is_on_pace():
    f = forecast(monthly=[1] * 6, total=10, goal=20, today=TODAY, ends_on=None)
    assert f.status == "on_pace" and f.reach_on == TODAY + dt.timedelta(days=305)


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError):
        forecast(monthly=[], total=1, goal=2, today=TODAY, ends_on=END)
