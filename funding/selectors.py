"""Reads about a relay's ledger: balances, journal pages, statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from consultants.models import Expert

from .ledger import chart_for
from .models import Account, JournalLine

ZERO = Decimal("0.00")


# --- The relay's ledger -----------------------------------------------------------------------


def account_balances(*, relay) -> list:
    """The relay's chart with debit, credit and balance per account (one query)."""
    chart_for(relay)
    return list(
        Account.objects.filter(relay=relay)
        .annotate(  # the pre-aggregated monthly balances (funding.balances), not the lines
            total_debit=Coalesce(Sum("balances__debit"), ZERO),
            total_credit=Coalesce(Sum("balances__credit"), ZERO),
        )
        .annotate(balance=F("total_debit") - F("total_credit"))
        .order_by("code")
    )


def journal_lines(*, user, relay):
    """The relay's journal lines with everything a row shows (entry, author, event, dims)."""
    return (
        JournalLine.objects.visible_to(user)
        .filter(entry__relay=relay)
        .select_related(
            "entry__author",
            "entry__outbox_message",
            "entry__payment",
            "entry__reverses",
            "account",
            "company",
            "consultant__user",
        )
        .order_by("-entry__date", "-entry_id", "pk")
    )


JOURNAL_PAGE_SIZE = 50


def journal_page(lines, *, after: str | None = None, size: int = JOURNAL_PAGE_SIZE):
    """One page of journal lines after a cursor (keyset pagination: no COUNT, no OFFSET).

    `lines` is ordered newest entry first (date, entry, line); the cursor
    "date.entry_id.line_id" is the last line shown. Returns (lines, next cursor or None).
    """
    if after:
        try:
            day, entry_id, line_id = after.split(".")
            day, entry_id, line_id = dt.date.fromisoformat(day), int(entry_id), int(line_id)
        except ValueError:
            day = None
        if day is not None:
            lines = lines.filter(
                Q(entry__date__lt=day)
                | Q(entry__date=day, entry_id__lt=entry_id)
                | Q(entry__date=day, entry_id=entry_id, pk__gt=line_id)
            )
    rows = list(lines.order_by("-entry__date", "-entry_id", "pk")[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    return rows, f"{last.entry.date.isoformat()}.{last.entry_id}.{last.pk}"


def statement(*, user, relay, account_code: str, **dims) -> tuple[list, Decimal]:
    """Lines of one account for one company or consultant, with a running balance."""
    lines = list(
        journal_lines(user=user, relay=relay)
        .filter(account__code=account_code, **dims)
        .order_by("entry__date", "entry_id", "pk")
    )
    running = ZERO
    for line in lines:
        running += line.debit - line.credit
        line.running = running
    return lines, running


def payable_consultants(*, relay):
    ids = (
        JournalLine.objects.filter(account__relay=relay, account__code="401")
        .values("consultant_id")
        .distinct()
    )
    return Expert.objects.filter(pk__in=ids).select_related("user")


# --- The Region's dashboard -------------------------------------------------------------------
