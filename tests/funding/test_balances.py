"""Pre-aggregated balances (funding.balances): always the sums of the lines."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zeal import zeal_ignore

from core.models import Relay
from funding.balances import balances_mismatches, balances_rebuild, ledger_totals
from funding.ledger import Line, entry_post, entry_reverse
from funding.models import AccountBalance, JournalEntry, JournalLine
from funding.selectors import account_balances
from reporting.selectors import dashboard
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODES = ["411", "441", "442", "401", "512", "706", "740", "741", "604", "44571"]
FUNDERS = ["", "company", "region", "state", "fse"]
days = st.dates(min_value=dt.date(2025, 11, 20), max_value=dt.date(2026, 3, 10))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
postings = st.lists(
    st.tuples(
        st.integers(0, 1),  # relay
        days,
        st.lists(
            st.tuples(
                st.sampled_from(CODES), st.sampled_from(CODES), amounts, st.sampled_from(FUNDERS)
            ),
            min_size=1,
            max_size=4,
        ),
        st.booleans(),  # reverse it afterwards
    ),
    min_size=1,
    max_size=12,
)


def _post(relay, date, pairs, n):
    lines = []
    for debit_code, credit_code, amount, funder in pairs:
        lines.append(Line(debit_code, debit=amount, funder=funder))
        lines.append(Line(credit_code, credit=amount, funder=funder))
    return entry_post(
        relay=relay, date=date, label="test", event_kind="test", key=f"test:{n}", lines=lines
    )


def _from_lines(user, start, end):
    qs = JournalLine.objects.visible_to(user)
    if start:
        qs = qs.filter(entry__date__gte=start)
    if end:
        qs = qs.filter(entry__date__lte=end)
    return {
        (r["account_id"], r["funder"]): (r["d"], r["c"], r["nd"], r["nc"])
        for r in qs.values("account_id", "funder").annotate(
            d=Sum("debit"),
            c=Sum("credit"),
            nd=Count("pk", filter=Q(debit__gt=0)),
            nc=Count("pk", filter=Q(credit__gt=0)),
        )
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=postings, bounds=st.tuples(st.none() | days, st.none() | days))
def test_balances_equal_the_sum_of_lines_after_random_postings(sequence, bounds):
    with zeal_ignore(), transaction.atomic():
        relays = list(Relay.objects.filter(slug__in=["afpi", "cci"]).order_by("slug"))
        region = UserFactory(region=True)
        for n, (relay_idx, date, pairs, reverse) in enumerate(sequence):
            entry = _post(relays[relay_idx], date, pairs, n)
            if reverse:
                entry_reverse(entry=entry, date=date + dt.timedelta(days=40))
            _post(relays[relay_idx], date, pairs, n)  # a replay posts nothing more
        assert AccountBalance.objects.exists()
        assert balances_mismatches() == []

        # any period: whole months from the balances, partial ones from the lines
        start, end = bounds
        if start and end and start > end:
            start, end = end, start
        got = {
            (r["account_id"], r["funder"]): (r["d"], r["c"], r["nd"], r["nc"])
            for r in ledger_totals(user=region, start=start, end=end)
            if r["nd"] or r["nc"]
        }
        assert got == _from_lines(region, start, end)

        # relay staff see their relay's totals only
        staff = UserFactory(staff=True)  # relay staff of afpi
        mine = {r["account_id"] for r in ledger_totals(user=staff)}
        assert mine <= set(relays[0].accounts.values_list("pk", flat=True))

        # rebuilding from the lines gives the same table
        before = sorted(
            AccountBalance.objects.values_list(
                "account_id", "month", "funder", "debit", "credit", "debit_lines", "credit_lines"
            )
        )
        balances_rebuild()
        after = sorted(
            AccountBalance.objects.values_list(
                "account_id", "month", "funder", "debit", "credit", "debit_lines", "credit_lines"
            )
        )
        assert after == before
        transaction.set_rollback(True)


def test_the_dashboard_and_the_ledger_page_read_the_balances():
    """Figures come from AccountBalance: a line the balances never saw does not count."""
    relay = Relay.objects.get(slug="afpi")
    region = UserFactory(region=True)
    _post(relay, dt.date(2026, 2, 3), [("604", "401", Decimal("805.00"), "")], 1)
    data = dashboard(user=region)
    assert data["totals"]["accrued"] == Decimal("805.00")
    assert data["halfdays"] == 1
    accounts = {a.code: a for a in account_balances(relay=relay)}
    assert accounts["604"].balance == Decimal("805.00")
    assert accounts["401"].balance == Decimal("-805.00")
    # Emptying the balances (never done by the portal) shows where the figures come from.
    AccountBalance.objects.all().delete()
    assert dashboard(user=region)["totals"]["accrued"] == Decimal("0.00")
    assert {a.code: a for a in account_balances(relay=relay)}["604"].balance == Decimal("0.00")
    assert balances_mismatches()
    balances_rebuild()
    assert dashboard(user=region)["totals"]["accrued"] == Decimal("805.00")
    assert balances_mismatches() == []


def test_many_random_postings_over_months_keep_the_balances_exact():
    """A larger random ledger (seeded): every stored month equals the sum of its lines."""
    rnd = random.Random(7)
    relays = list(Relay.objects.order_by("pk")[:3])
    for n in range(120):
        pairs = [
            (
                rnd.choice(CODES),
                rnd.choice(CODES),
                Decimal(rnd.randint(1, 999_999)) / 100,
                rnd.choice(FUNDERS),
            )
            for _ in range(rnd.randint(1, 3))
        ]
        date = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randint(0, 500))
        _post(rnd.choice(relays), date, pairs, n)
    assert JournalEntry.objects.count() == 120
    assert balances_mismatches() == []
    totals = AccountBalance.objects.aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"] == JournalLine.objects.aggregate(t=Sum("debit"))["t"]
