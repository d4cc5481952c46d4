"""Pre-aggregated ledger balances: one row per account, month and funder.

Ledger lines are insert-only and `funding.ledger.entry_post` is their one door, so
it adds each new entry's lines to `AccountBalance` in the same transaction
(`balances_add`): the totals are never stale. The dashboard and the ledger page read
whole months from this table and only the partial months at the edges of a period
from the lines (`ledger_totals`). `balances_rebuild` recomputes the table from the
lines (after a bulk load); `balances_mismatches` compares both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from .models import AccountBalance, JournalLine

ZERO = Decimal("0.00")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def balances_add(*, date: dt.date, lines) -> None:
    """Add a new entry's lines to the balances of their month (one upsert per account/funder).

    Rows are upserted in a fixed order so that concurrent postings never deadlock.
    """
    sums: dict[tuple[int, str], list] = defaultdict(lambda: [ZERO, ZERO, 0, 0])
    for ln in lines:
        s = sums[(ln.account_id, ln.funder or "")]
        s[0] += ln.debit
        s[1] += ln.credit
        s[2] += 1 if ln.debit else 0
        s[3] += 1 if ln.credit else 0
    sql = (
        "INSERT INTO funding_accountbalance AS b (account_id, month, funder, debit, credit, "
        "debit_lines, credit_lines) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (account_id, month, funder) DO UPDATE SET "
        "debit = b.debit + excluded.debit, credit = b.credit + excluded.credit, "
        "debit_lines = b.debit_lines + excluded.debit_lines, "
        "credit_lines = b.credit_lines + excluded.credit_lines"
    )
    month = month_of(date)
    with connection.cursor() as cursor:
        for (account_id, funder), (d, c, nd, nc) in sorted(sums.items()):
            cursor.execute(sql, [account_id, month, funder, d, c, nd, nc])


def relay_line_count(relay) -> int:
    """How many journal lines the relay has: the sum of its balances' line counts (a line is
    a debit or a credit, never both), instead of counting thousands of lines."""
    totals = AccountBalance.objects.filter(account__relay=relay).aggregate(
        n=Coalesce(Sum(F("debit_lines") + F("credit_lines")), 0)
    )
    return totals["n"]


def _from_lines(lines):
    return lines.values("account_id", "funder").annotate(
        d=Coalesce(Sum("debit"), ZERO),
        c=Coalesce(Sum("credit"), ZERO),
        nd=Count("pk", filter=Q(debit__gt=0)),
        nc=Count("pk", filter=Q(credit__gt=0)),
    )


def ledger_totals(*, user, start: dt.date | None = None, end: dt.date | None = None) -> list:
    """Debit, credit and line counts per (account, funder) over a period, scoped to `user`.

    Whole months come from `AccountBalance`; the days of a partial first or last month
    from the lines themselves. Returns dicts with account_id, funder, d, c, nd, nc.
    """
    first_full = start if start is None or start.day == 1 else _next_month(start)
    if end is None:
        after_full = None
    elif (end + dt.timedelta(days=1)).day == 1:  # the period ends on a month's last day
        after_full = _next_month(end)
    else:
        after_full = month_of(end)
    totals: dict[tuple[int, str], dict] = {}

    def add(rows):
        for r in rows:
            key = (r["account_id"], r["funder"] or "")
            t = totals.setdefault(
                key,
                {"account_id": key[0], "funder": key[1], "d": ZERO, "c": ZERO, "nd": 0, "nc": 0},
            )
            for k in ("d", "c", "nd", "nc"):
                t[k] += r[k]

    balances = AccountBalance.objects.visible_to(user)
    if first_full is not None:
        balances = balances.filter(month__gte=first_full)
    if after_full is not None:
        balances = balances.filter(month__lt=after_full)
    if first_full is None or after_full is None or first_full < after_full:
        add(
            balances.values("account_id", "funder").annotate(
                d=Coalesce(Sum("debit"), ZERO),
                c=Coalesce(Sum("credit"), ZERO),
                nd=Coalesce(Sum("debit_lines"), 0),
                nc=Coalesce(Sum("credit_lines"), 0),
            )
        )
        edges = Q()
        if start is not None and first_full != start:
            edges |= Q(entry__date__gte=start, entry__date__lt=first_full)
        if end is not None and after_full <= end:
            edges |= Q(entry__date__gte=after_full, entry__date__lte=end)
    else:  # the period lies within one month: the lines alone
        edges = Q(entry__date__gte=start, entry__date__lte=end)
    if edges:
        add(_from_lines(JournalLine.objects.visible_to(user).filter(edges)))
    return list(totals.values())


def _monthly_sums_from_lines():
    """Debit, credit and line counts per (account, month, funder), summed from the lines."""
    return (
        JournalLine.objects.annotate(month=TruncMonth("entry__date"))
        .values("account_id", "month", "funder")
        .annotate(
            d=Sum("debit"),
            c=Sum("credit"),
            nd=Count("pk", filter=Q(debit__gt=0)),
            nc=Count("pk", filter=Q(credit__gt=0)),
        )
        .order_by()
    )


def balances_rebuild() -> int:
    """Recompute every balance from the lines (one grouped query); returns the rows written."""
    rows = _monthly_sums_from_lines()
    with transaction.atomic():
        AccountBalance.objects.all().delete()
        created = AccountBalance.objects.bulk_create(
            (
                AccountBalance(
                    account_id=r["account_id"],
                    month=r["month"],
                    funder=r["funder"],
                    debit=r["d"],
                    credit=r["c"],
                    debit_lines=r["nd"],
                    credit_lines=r["nc"],
                )
                for r in rows.iterator(chunk_size=5000)
            ),
            batch_size=5000,
        )
    return len(created)


def balances_mismatches() -> list[tuple]:
    """(account, month, funder) whose stored balance differs from the sum of its lines."""
    from_lines = {
        (r["account_id"], r["month"], r["funder"]): (r["d"], r["c"], r["nd"], r["nc"])
        for r in _monthly_sums_from_lines()
    }
    stored = {
        (b.account_id, b.month, b.funder): (b.debit, b.credit, b.debit_lines, b.credit_lines)
        for b in AccountBalance.objects.all()
    }
    keys = set(from_lines) | set(stored)
    zero = (ZERO, ZERO, 0, 0)
    return sorted(
        (k, from_lines.get(k, zero), stored.get(k, zero))
        for k in keys
        if from_lines.get(k, zero) != stored.get(k, zero)
    )
