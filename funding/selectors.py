"""Reads about a relay's ledger: balances, journal pages, statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

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


# What a balance means, by account and side: a signed "-108 000,00 €" says nothing to relay staff.
# (debit side, credit side); the balance is debit − credit.
BALANCE_MEANINGS: dict[str, tuple] = {
    "411": (_("dû par les entreprises"), _("trop-perçu à rembourser aux entreprises")),
    "441": (_("à recevoir de la Région"), _("reçu de la Région en trop")),
    "442": (_("à recevoir de l'État et du FSE"), _("reçu de l'État et du FSE en trop")),
    "401": (_("avancé aux consultants"), _("dû aux consultants")),
    "512": (_("disponible en banque"), _("découvert bancaire")),
    "706": (_("participations annulées"), _("participations des entreprises acquises")),
    "740": (_("aide régionale annulée"), _("aide régionale acquise")),
    "741": (_("aides annulées"), _("aides de l'État et du FSE acquises")),
    "604": (_("honoraires de conseil engagés"), _("honoraires annulés")),
    "44571": (_("TVA à récupérer"), _("TVA collectée à reverser")),
}


@dataclass(frozen=True)
class BalanceWords:
    amount: Decimal  # never negative: the side says which way
    side: str  # "débiteur", "créditeur" or "soldé"
    meaning: str


def balance_words(code: str, balance: Decimal) -> BalanceWords:
    """A signed balance (debit − credit) in words: its side and what it means for the account."""
    debit_meaning, credit_meaning = BALANCE_MEANINGS.get(code, ("", ""))
    if balance > 0:
        return BalanceWords(balance, str(_("débiteur")), str(debit_meaning))
    if balance < 0:
        return BalanceWords(-balance, str(_("créditeur")), str(credit_meaning))
    return BalanceWords(ZERO, str(_("soldé")), "")


def account_balances_explained(*, relay) -> list:
    """`account_balances` with `words` (side and meaning) on each account."""
    accounts = account_balances(relay=relay)
    for account in accounts:
        account.words = balance_words(account.code, account.balance)
    return accounts


# Where a journal entry comes from, in words (the entry keeps the event's code).
ORIGIN_LABELS = {
    "enrolment.agreement_signed": _("Convention signée"),
    "mission.halfday_logged": _("Demi-journée de conseil réalisée"),
    "enrolment.closed": _("Mission clôturée"),
    "enrolment.withdrawn": _("Abandon de l'entreprise"),
    "payment.company": _("Règlement d'une entreprise"),
    "payment.region": _("Versement de la Région"),
    "payment.consultant": _("Paiement d'un consultant"),
    "ledger.reversal": _("Contrepassation"),
    "ledger.correction": _("Écriture de correction"),
}


def origin_label(event_kind: str) -> str:
    """'payment.consultant' → 'Paiement d'un consultant' (an unknown code: 'Autre écriture')."""
    return str(ORIGIN_LABELS.get(event_kind, _("Autre écriture")))


def journal_lines(*, user, relay):
    """The relay's journal lines with everything a row shows (entry, author, account, dims);
    the exports add the entry's event and payment (`JOURNAL_EXPORT_RELATED`)."""
    return (
        JournalLine.objects.visible_to(user)
        .filter(entry__relay=relay)
        .select_related("entry__author", "account", "company", "consultant__user")
        .order_by("-entry__date", "-entry_id", "pk")
    )


#: What an export of the journal prints besides a page's row: the event's key, the payment.
JOURNAL_EXPORT_RELATED = ("entry__outbox_message", "entry__payment")


JOURNAL_PAGE_SIZE = 50

#: The columns of a page's row (`journal_table.journal_rows`).
JOURNAL_ROW_FIELDS = (
    "pk",
    "debit",
    "credit",
    "entry_id",
    "entry__date",
    "entry__label",
    "entry__reverses_id",
    "entry__event_kind",
    "entry__outbox_message_id",
    "entry__author_id",
    "entry__author__first_name",
    "entry__author__last_name",
    "entry__author__email",
    "account__code",
    "account__name",
    "company__name",
    "consultant_id",
    "consultant__user__first_name",
    "consultant__user__last_name",
    "consultant__user__email",
)


@dataclass
class JournalPage:
    rows: list[dict]  # JOURNAL_ROW_FIELDS
    number: int  # 1-based
    count: int  # pages in all (at least 1)
    next_cursor: str | None
    prev_cursor: str | None


def _cursor(row: dict) -> str:
    return f"{row['entry__date'].isoformat()}.{row['entry_id']}.{row['pk']}"


def _parse_cursor(text: str | None):
    if not text:
        return None
    try:
        day, entry_id, line_id = text.split(".")
        return dt.date.fromisoformat(day), int(entry_id), int(line_id)
    except ValueError:
        return None


def journal_page(
    lines,
    *,
    after: str | None = None,
    before: str | None = None,
    number: str | int | None = None,
    size: int = JOURNAL_PAGE_SIZE,
    total: int | None = None,
) -> JournalPage:
    """One page of journal lines next to a cursor (keyset pagination: no OFFSET).

    `lines` is ordered newest entry first (date, entry, line); a cursor "date.entry_id.line_id"
    is the last line shown (`after`, the next page) or the first (`before`, the previous page).
    One COUNT gives the number of pages, unless the caller knows the number of lines (`total`);
    `number` (carried in the links) is the page's number.
    """
    # what a row shows, as values (instances of every line cost a third of the page): the
    # entry (its author), the account, the company or consultant; the exports' payment,
    # outbox message and reversed entry are not joined for a page
    lines = lines.select_related(None)
    if total is None:
        total = lines.order_by().count()
    pages = max(1, -(-total // size))
    try:
        number = int(number or 1)
    except (TypeError, ValueError):
        number = 1
    ordered = lines.order_by("-entry__date", "-entry_id", "pk")
    back = _parse_cursor(before)
    forward = _parse_cursor(after) if back is None else None
    if back is not None:
        day, entry_id, line_id = back
        newer = lines.filter(
            Q(entry__date__gt=day)
            | Q(entry__date=day, entry_id__gt=entry_id)
            | Q(entry__date=day, entry_id=entry_id, pk__lt=line_id)
        ).order_by("entry__date", "entry_id", "-pk")
        rows = list(newer.values(*JOURNAL_ROW_FIELDS)[: size + 1])
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
        number = max(2, min(number, pages)) if has_prev else 1
    else:
        if forward is not None:
            day, entry_id, line_id = forward
            ordered = ordered.filter(
                Q(entry__date__lt=day)
                | Q(entry__date=day, entry_id__lt=entry_id)
                | Q(entry__date=day, entry_id=entry_id, pk__gt=line_id)
            )
        rows = list(ordered.values(*JOURNAL_ROW_FIELDS)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = forward is not None
        number = max(2, min(number, pages)) if has_prev else 1
    return JournalPage(
        rows=rows,
        number=number,
        count=pages,
        next_cursor=_cursor(rows[-1]) if has_next and rows else None,
        prev_cursor=_cursor(rows[0]) if has_prev and rows else None,
    )


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
