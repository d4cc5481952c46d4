"""De minimis rules with hand-made histories: windows at their edges, ceilings to the cent."""

import datetime as dt
from decimal import Decimal

import pytest

from catalogue.deminimis import aid_in_window, assess, headroom, window_for
from catalogue.models import DeMinimisRegulation, Tariff
from catalogue.pricing import tariff_aid_equivalent
from catalogue.selectors import deminimis_regulation_in_force
from core.exceptions import BusinessRuleError

pytestmark = pytest.mark.django_db

D = dt.date


def reg(code: str) -> DeMinimisRegulation:
    return DeMinimisRegulation.objects.filter(code=code).first()


def test_the_three_regulations_are_reference_data_in_force_on_their_dates():
    assert deminimis_regulation_in_force(on=D(2007, 1, 1)).name == "Règlement (CE) n° 1998/2006"
    assert deminimis_regulation_in_force(on=D(2013, 12, 31)).code == "ce-1998-2006"
    assert deminimis_regulation_in_force(on=D(2014, 1, 1)).code == "ue-1407-2013"
    assert deminimis_regulation_in_force(on=D(2023, 12, 31)).code == "ue-1407-2013"
    latest = deminimis_regulation_in_force(on=D(2024, 1, 1))
    assert latest.code == "ue-2023-2831" and latest.ceiling == Decimal("300000.00")
    ceilings = dict(DeMinimisRegulation.objects.values_list("code", "ceiling"))
    assert ceilings["ue-1407-2013"] == ceilings["ce-1998-2006"] == Decimal("200000.00")
    with pytest.raises(BusinessRuleError, match="Aucun règlement de minimis"):
        deminimis_regulation_in_force(on=D(2006, 12, 31))


def test_rolling_window_the_day_before_and_the_day_the_oldest_aid_leaves():
    regulation = reg("ue-2023-2831")
    aids = [(D(2024, 3, 15), Decimal("100000.00")), (D(2025, 6, 1), Decimal("50000.00"))]
    day_before = window_for(regulation, D(2027, 3, 14))
    assert (day_before.start, day_before.end) == (D(2024, 3, 15), D(2027, 3, 14))
    assert aid_in_window(aids, day_before) == Decimal("150000.00")
    leaving_day = window_for(regulation, D(2027, 3, 15))
    assert leaving_day.start == D(2024, 3, 16)
    assert aid_in_window(aids, leaving_day) == Decimal("50000.00")


def test_fiscal_year_windows_count_the_current_and_two_previous_years():
    regulation = reg("ue-1407-2013")
    aids = [
        (D(2016, 12, 31), Decimal("90000.00")),  # three fiscal years before 2019: out
        (D(2017, 1, 1), Decimal("80000.00")),
        (D(2019, 11, 30), Decimal("70000.00")),
        (D(2019, 12, 2), Decimal("5000.00")),  # after the grant date: not yet received
    ]
    window = window_for(regulation, D(2019, 12, 1))
    assert (window.start, window.end) == (D(2017, 1, 1), D(2019, 12, 1))
    assert aid_in_window(aids, window) == Decimal("150000.00")
    # on 1 January the whole of the oldest fiscal year leaves at once (not day by day)
    assert window_for(regulation, D(2020, 1, 1)).start == D(2018, 1, 1)
    older = window_for(deminimis_regulation_in_force(on=D(2010, 6, 30)), D(2010, 6, 30))
    assert older.start == D(2008, 1, 1)
    # a fiscal year starting in July
    assert window_for(regulation, D(2019, 3, 1), fiscal_year_start_month=7).start == D(2016, 7, 1)


def test_ceiling_exactly_reached_is_allowed_and_one_cent_more_is_not():
    regulation = reg("ue-2023-2831")
    on = D(2026, 6, 1)
    exact = assess(
        regulation=regulation,
        on=on,
        declared=[(D(2025, 1, 10), Decimal("296000.00"))],
        aid_equivalent=Decimal("4000.00"),
    )
    assert exact.total == Decimal("300000.00") and exact.headroom == Decimal("0.00")
    assert not exact.exceeds
    over = assess(
        regulation=regulation,
        on=on,
        declared=[(D(2025, 1, 10), Decimal("296000.00"))],
        previous=[(D(2024, 2, 1), Decimal("0.01"))],
        aid_equivalent=Decimal("4000.00"),
    )
    assert over.exceeds and over.headroom == Decimal("-0.01")
    assert headroom(ceiling=Decimal("200000"), already=Decimal("150000")) == Decimal("50000")


def test_aid_equivalent_is_the_public_funders_shares_ht():
    tariff = Tariff(
        company_contribution_ht=Decimal("2440.00"),
        regional_aid_ht=Decimal("4000.00"),
        state_aid_ht=Decimal("1200.50"),
        fse_aid_ht=Decimal("300.25"),
    )
    assert tariff_aid_equivalent(tariff=tariff) == Decimal("5500.75")
