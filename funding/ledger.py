"""The posting engine of the cost-sharing ledger and the events that post.

`entry_post()` is the only way an entry is written: it checks balance, the
closed period and the idempotency key (a second post of the same key returns
the first entry, nothing else). The event handlers below are registered with
`core.outbox.register_handler(..., sync=True)` so a posting lands in the same
transaction as the business change that caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.pricing import (
    EARLY_EXIT_KEEP_ALL,
    aid_kept_on_early_exit,
    early_exit_rule,
    enrolment_price,
    half_day_fee,
)
from consultants.models import Expert
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from core.money import to_cents
from enrolment.models import Enrolment

from .balances import balances_add
from .models import (
    CHART_OF_ACCOUNTS,
    Account,
    AidInstalment,
    Funder,
    JournalEntry,
    JournalLine,
    PeriodClose,
)

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    """A line to post: an account code and one positive side."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    funder: str = ""
    company_id: int | None = None
    consultant_id: int | None = None
    enrolment_id: int | None = None


#: Receivable and revenue accounts of each public funder's share.
AID_ACCOUNTS = {
    Funder.REGION: ("441", "740"),
    Funder.STATE: ("442", "741"),
    Funder.FSE: ("442", "741"),
}


def chart_for(relay) -> dict[str, Account]:
    """The relay's accounts by code, created on first use (one query once they exist)."""
    accounts = {a.code: a for a in Account.objects.filter(relay=relay)}
    if len(accounts) < len(CHART_OF_ACCOUNTS):
        Account.objects.bulk_create(
            [
                Account(relay=relay, code=code, name=str(name))
                for code, name in CHART_OF_ACCOUNTS
                if code not in accounts
            ],
            ignore_conflicts=True,
        )
        accounts = {a.code: a for a in Account.objects.filter(relay=relay)}
    return accounts


def closed_until(relay) -> dt.date | None:
    return PeriodClose.objects.filter(relay=relay).aggregate(m=Max("closed_until"))["m"]


def period_check_open(*, relay, date: dt.date) -> None:
    """Refuse a date on or before the relay's last period close (its books are closed)."""
    lock = closed_until(relay)
    if lock is not None and date <= lock:
        raise BusinessRuleError(
            _("La période est clôturée jusqu'au %(d)s : choisissez une date postérieure.")
            % {"d": lock.strftime("%d/%m/%Y")},
            field="date",
        )


def open_date(relay, wanted: dt.date) -> dt.date:
    """The date an event's posting gets: its own, or the first open day after a close."""
    lock = closed_until(relay)
    if lock is not None and wanted <= lock:
        return lock + dt.timedelta(days=1)
    return wanted


def entry_post(
    *,
    relay,
    date: dt.date,
    label: str,
    event_kind: str,
    key: str,
    lines: list[Line],
    author=None,
    outbox_message=None,
    reverses: JournalEntry | None = None,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry exactly once for `key` (a second call returns the first)."""
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    lines = [ln for ln in lines if ln.debit or ln.credit]
    if not lines:
        raise BusinessRuleError(_("Une écriture doit comporter au moins une ligne."))
    for ln in lines:
        if ln.debit < 0 or ln.credit < 0:
            raise BusinessRuleError(_("Un montant d'écriture ne peut pas être négatif."))
        if ln.debit and ln.credit:
            raise BusinessRuleError(_("Une ligne est soit au débit, soit au crédit."))
        if to_cents(ln.debit) != ln.debit or to_cents(ln.credit) != ln.credit:
            raise BusinessRuleError(_("Les montants s'expriment en euros et centimes."))
    debit = sum((ln.debit for ln in lines), ZERO)
    credit = sum((ln.credit for ln in lines), ZERO)
    if debit != credit:
        raise BusinessRuleError(
            _("Écriture déséquilibrée : %(d)s au débit, %(c)s au crédit.")
            % {"d": debit, "c": credit}
        )
    period_check_open(relay=relay, date=date)
    accounts = chart_for(relay)
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                relay=relay,
                date=date,
                label=label[:255],
                event_kind=event_kind,
                idempotency_key=key,
                outbox_message=outbox_message,
                author=author if author is not None and author.is_authenticated else None,
                reverses=reverses,
                corrects=corrects,
            )
            posted = JournalLine.objects.bulk_create(
                [
                    JournalLine(
                        entry=entry,
                        account=accounts[ln.account],
                        debit=ln.debit,
                        credit=ln.credit,
                        funder=ln.funder,
                        company_id=ln.company_id,
                        consultant_id=ln.consultant_id,
                        enrolment_id=ln.enrolment_id,
                    )
                    for ln in lines
                ]
            )
            balances_add(date=date, lines=posted)
    except IntegrityError:
        # Another transaction posted the same key first: the event is posted exactly once.
        existing = JournalEntry.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    return entry


def entry_reverse(*, entry: JournalEntry, by=None, reason: str = "", date=None) -> JournalEntry:
    """Cancel an entry by posting its mirror image, linked to it (never an update)."""
    lines = [
        Line(
            account=ln.account.code,
            debit=ln.credit,
            credit=ln.debit,
            funder=ln.funder,
            company_id=ln.company_id,
            consultant_id=ln.consultant_id,
            enrolment_id=ln.enrolment_id,
        )
        for ln in entry.lines.select_related("account")
    ]
    return entry_post(
        relay=entry.relay,
        date=date or open_date(entry.relay, timezone.localdate()),
        label=_("Contrepassation : %(label)s") % {"label": entry.label}
        + (f" — {reason}" if reason else ""),
        event_kind="ledger.reversal",
        key=f"reversal:{entry.pk}",
        lines=lines,
        author=by,
        reverses=entry,
    )


def entry_correct(
    *, entry: JournalEntry, lines: list[Line], by=None, reason: str = "", date=None
) -> JournalEntry:
    """A correction = a reversing entry plus a new entry, both linked to the one corrected."""
    with transaction.atomic():
        entry_reverse(entry=entry, by=by, reason=reason, date=date)
        return entry_post(
            relay=entry.relay,
            date=date or open_date(entry.relay, timezone.localdate()),
            label=_("Correction : %(label)s") % {"label": entry.label},
            event_kind="ledger.correction",
            key=f"correction:{entry.pk}",
            lines=lines,
            author=by,
            corrects=entry,
        )


# --- Event handlers ---------------------------------------------------------------------------


def _enrolment(enrolment_id):
    return (
        Enrolment.objects.select_related("company__relay", "tariff", "offer")
        .filter(pk=enrolment_id)
        .first()
    )


def _event_date(message) -> dt.date:
    return timezone.localdate(message.created_at)


def on_agreement_signed(message) -> None:
    """Company contribution (HT + VAT) and the public aids become receivable; instalments.

    Amounts come from `catalogue.pricing`: VAT at the rate frozen at validation, not the
    rate of the signature day.
    """
    enrolment = _enrolment(message.payload.get("enrolment_id"))
    if enrolment is None or enrolment.tariff is None or enrolment.company.relay is None:
        logger.warning("agreement_signed without tariff or relay: %s", message.payload)
        return
    relay, tariff, company = enrolment.company.relay, enrolment.tariff, enrolment.company
    price = enrolment_price(enrolment)
    date = open_date(relay, _event_date(message))
    dims = {"company_id": company.pk, "enrolment_id": enrolment.pk}
    lines = [
        Line("411", debit=price.company_ttc, funder=Funder.COMPANY, **dims),
        Line("706", credit=price.company_ht, funder=Funder.COMPANY, **dims),
        Line("44571", credit=price.vat, funder=Funder.COMPANY, **dims),
    ]
    for funder, share in price.public_shares:
        receivable, revenue = AID_ACCOUNTS[funder]
        lines.append(Line(receivable, debit=share, funder=funder, **dims))
        lines.append(Line(revenue, credit=share, funder=funder, **dims))
    entry = entry_post(
        relay=relay,
        date=date,
        label=_("Convention signée — %(company)s (%(offer)s)")
        % {"company": company.name, "offer": enrolment.offer or tariff.offer_id},
        event_kind=message.kind,
        key=f"signed:{enrolment.pk}",
        lines=lines,
        outbox_message=message,
    )
    if price.regional_aid:
        AidInstalment.objects.bulk_create(
            [
                AidInstalment(
                    relay=relay,
                    enrolment=enrolment,
                    kind=AidInstalment.Kind.ADVANCE,
                    amount=price.regional_advance,
                    status=AidInstalment.Status.DUE,
                    due_on=entry.date,
                ),
                AidInstalment(
                    relay=relay,
                    enrolment=enrolment,
                    kind=AidInstalment.Kind.BALANCE,
                    amount=price.regional_balance,
                ),
            ],
            ignore_conflicts=True,  # one instalment per kind: a replay creates nothing
        )


def on_halfday_logged(message) -> None:
    """A consultant's half-day accrues their fee: 604 consulting cost / 401 consultant payable."""
    payload = message.payload
    enrolment = _enrolment(payload.get("enrolment_id"))
    if enrolment is None or enrolment.company.relay is None:
        logger.warning("halfday_logged for an unknown enrolment: %s", payload)
        return
    rate = payload.get("rate")  # the fee of the day the half-day was logged
    if rate in (None, ""):
        consultant_rate = (
            Expert.objects.filter(pk=payload["consultant_id"])
            .values_list("half_day_rate", flat=True)
            .first()
            if payload.get("consultant_id")
            else None
        )
        rate = half_day_fee(consultant_rate=consultant_rate, tariff=enrolment.tariff)
    if rate in (None, ""):
        logger.warning("halfday_logged without a rate: %s", payload)
        return
    rate = to_cents(rate)
    relay = enrolment.company.relay
    try:
        wanted = dt.date.fromisoformat(str(payload.get("date")))
    except ValueError:
        wanted = _event_date(message)
    dims = {
        "company_id": enrolment.company_id,
        "enrolment_id": enrolment.pk,
        "consultant_id": payload.get("consultant_id"),
    }
    entry_post(
        relay=relay,
        date=open_date(relay, wanted),
        label=_("Demi-journée de conseil — %(company)s") % {"company": enrolment.company.name},
        event_kind=message.kind,
        key=f"halfday:{payload.get('half_day_id')}",
        lines=[Line("604", debit=rate, **dims), Line("401", credit=rate, **dims)],
        outbox_message=message,
    )


def on_enrolment_closed(message) -> None:
    """The mission is closed: the Region's balance becomes due."""
    enrolment = _enrolment(message.payload.get("enrolment_id"))
    if enrolment is None:
        return
    AidInstalment.objects.filter(
        enrolment=enrolment,
        kind=AidInstalment.Kind.BALANCE,
        status=AidInstalment.Status.SCHEDULED,
    ).update(status=AidInstalment.Status.DUE, due_on=_event_date(message))


def delivered_half_days(enrolment_id: int) -> int:
    """Half-days accrued in the ledger for an enrolment (reversed ones excluded)."""
    lines = JournalLine.objects.filter(
        enrolment_id=enrolment_id, account__code="604", entry__event_kind="mission.halfday_logged"
    )
    accrued = lines.filter(entry__reversed_by__isnull=True).count()
    return accrued


def on_enrolment_withdrawn(message) -> None:
    """Early exit after signature: public aid not earned is cancelled (docs/financement.md).

    Default rule `prorata_keep_advance`: each public funder keeps the larger of the
    advance and its share pro rata of the half-days delivered; the rest of its
    receivable is cancelled by an entry (revenue debited, receivable credited).
    The company's contribution stays due (it signed the agreement).
    """
    enrolment = _enrolment(message.payload.get("enrolment_id"))
    if enrolment is None or enrolment.tariff is None or enrolment.company.relay is None:
        return
    if not JournalEntry.objects.filter(idempotency_key=f"signed:{enrolment.pk}").exists():
        return  # withdrawn before signature: nothing was ever receivable
    rule = early_exit_rule()
    if rule == EARLY_EXIT_KEEP_ALL:
        return
    tariff, relay = enrolment.tariff, enrolment.company.relay
    planned = tariff.half_days or 0
    delivered = delivered_half_days(enrolment.pk)
    lines: list[Line] = []
    dims = {"company_id": enrolment.company_id, "enrolment_id": enrolment.pk}
    region_kept = None
    kept_shares = aid_kept_on_early_exit(
        enrolment_price(enrolment), planned=planned, delivered=delivered, rule=rule
    )
    for kept in kept_shares:  # the rule itself: catalogue.pricing.aid_kept_on_early_exit
        receivable, revenue = AID_ACCOUNTS[kept.funder]
        if kept.funder == Funder.REGION:
            region_kept = (kept.advance, kept.kept)
        if kept.cancelled > 0:
            lines.append(Line(revenue, debit=kept.cancelled, funder=kept.funder, **dims))
            lines.append(Line(receivable, credit=kept.cancelled, funder=kept.funder, **dims))
    if lines:
        entry_post(
            relay=relay,
            date=open_date(relay, _event_date(message)),
            label=_("Abandon — aide non acquise annulée (%(n)s/%(p)s demi-journées) — %(c)s")
            % {"n": delivered, "p": planned, "c": enrolment.company.name},
            event_kind=message.kind,
            key=f"withdrawn:{enrolment.pk}",
            lines=lines,
            outbox_message=message,
        )
    if region_kept is not None:
        advance, earned = region_kept
        rest = earned - advance
        AidInstalment.objects.filter(
            enrolment=enrolment,
            kind=AidInstalment.Kind.BALANCE,
            status=AidInstalment.Status.SCHEDULED,
        ).update(
            amount=rest,
            status=AidInstalment.Status.DUE if rest > 0 else AidInstalment.Status.CANCELLED,
            due_on=_event_date(message),
        )


HANDLERS = {
    "enrolment.agreement_signed": on_agreement_signed,
    "mission.halfday_logged": on_halfday_logged,
    "enrolment.closed": on_enrolment_closed,
    "enrolment.withdrawn": on_enrolment_withdrawn,
}


def ledger_replay(*, kinds=None) -> int:
    """Run the ledger handlers on every stored event (idempotent: posts only what is missing)."""
    kinds = kinds or list(HANDLERS)
    count = 0
    for message in OutboxMessage.objects.filter(kind__in=kinds).order_by("created_at", "pk"):
        with transaction.atomic():
            HANDLERS[message.kind](message)
        count += 1
    return count


def balances(*, relay) -> dict[str, Decimal]:
    """Debit-minus-credit balance per account code for a relay (one query)."""
    rows = (
        JournalLine.objects.filter(account__relay=relay)
        .values("account__code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {r["account__code"]: r["d"] - r["c"] for r in rows}
