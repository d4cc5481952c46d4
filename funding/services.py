"""Writes about money: tariffs, payments, period close, approval of regional aid instalments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.money import format_eur, to_cents
from core.roles import AID_APPROVER_ROLES, LEDGER_WRITER_ROLES, Role, has_role
from core.services import timeline_record

from .ledger import ZERO, Line, chart_for, closed_until, entry_post, period_check_open
from .models import Account, AidInstalment, Funder, JournalLine, Payment, PeriodClose


def may_write_ledger(*, user, relay) -> bool:
    """Who writes a relay's ledger (payments, period close): its own relay staff, and admins."""
    if not has_role(user, LEDGER_WRITER_ROLES):
        return False
    return user.role != Role.RELAY_STAFF or user.relay_id == relay.pk


def may_approve_instalments(*, user) -> bool:
    """The Region (and admins) approve the regional aid instalments."""
    return has_role(user, AID_APPROVER_ROLES)


def _check_relay_writer(*, by, relay) -> None:
    if not may_write_ledger(user=by, relay=relay):
        if by is not None and by.role == Role.RELAY_STAFF:
            raise BusinessRuleError(
                _("Cette comptabilité n'est pas celle de votre structure relais.")
            )
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à modifier cette comptabilité."))


# --- Payments ---------------------------------------------------------------------------------

_PAYMENT_ACCOUNTS = {
    Payment.Kind.COMPANY: ("411", Funder.COMPANY),
    Payment.Kind.REGION: ("441", Funder.REGION),
    Payment.Kind.CONSULTANT: ("401", ""),
}


def payment_due(*, relay, kind: str, company=None, consultant=None) -> Decimal:
    """What is still owed for this payment: the receivable's or the payable's balance."""
    code, funder = _PAYMENT_ACCOUNTS[kind]
    lines = JournalLine.objects.filter(account__relay=relay, account__code=code)
    if kind == Payment.Kind.COMPANY:
        lines = lines.filter(company=company)
    elif kind == Payment.Kind.CONSULTANT:
        lines = lines.filter(consultant=consultant)
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    balance = (totals["d"] or ZERO) - (totals["c"] or ZERO)
    return balance if kind != Payment.Kind.CONSULTANT else -balance


def payment_record(
    *,
    relay,
    kind: str,
    date: dt.date,
    amount: Decimal,
    reference: str,
    by,
    company=None,
    consultant=None,
    overpayment_reason: str = "",
) -> Payment:
    """Record money received or paid, and post it (512 bank against the receivable/payable)."""
    _check_relay_writer(by=by, relay=relay)
    if amount is None or amount <= 0:
        raise BusinessRuleError(_("Le montant doit être strictement positif."), field="amount")
    if to_cents(amount) != amount:
        raise BusinessRuleError(_("Le montant s'exprime en euros et centimes."), field="amount")
    if not reference.strip():
        raise BusinessRuleError(
            _("Indiquez la référence du paiement (chèque, virement…)."), field="reference"
        )
    if kind == Payment.Kind.COMPANY and (company is None or company.relay_id != relay.pk):
        raise BusinessRuleError(_("Choisissez une entreprise de ce relais."), field="company")
    if kind == Payment.Kind.CONSULTANT and consultant is None:
        raise BusinessRuleError(_("Choisissez le consultant payé."), field="consultant")
    period_check_open(relay=relay, date=date)
    with transaction.atomic():
        # The receivable's (or payable's) account row is locked until the payment is posted:
        # two payments at the same instant see the amount still due one after the other, so
        # the second one cannot overpay without its reason.
        code, funder = _PAYMENT_ACCOUNTS[kind]
        chart_for(relay)
        list(Account.objects.select_for_update().filter(relay=relay, code=code).values("pk"))
        due = payment_due(relay=relay, kind=kind, company=company, consultant=consultant)
        over = max(amount - max(due, ZERO), ZERO)
        if over and not overpayment_reason.strip():
            raise BusinessRuleError(
                _(
                    "Le montant dépasse le restant dû (%(due)s) : indiquez le motif pour "
                    "l'enregistrer comme trop-perçu."
                )
                % {"due": format_eur(max(due, ZERO))},
                field="overpayment_reason",
            )
        payment = Payment(
            relay=relay,
            kind=kind,
            date=date,
            amount=amount,
            reference=reference.strip(),
            company=company if kind == Payment.Kind.COMPANY else None,
            consultant=consultant if kind == Payment.Kind.CONSULTANT else None,
            due_before=due,
            overpayment=over,
            overpayment_reason=overpayment_reason.strip() if over else "",
            recorded_by=by,
        )
        # The audit trail records the payment once, complete with its ledger entry (below).
        payment.skip_history_when_saving = True
        payment.save()
        dims = {
            "company_id": payment.company_id,
            "consultant_id": payment.consultant_id,
            "funder": funder,
        }
        if kind == Payment.Kind.CONSULTANT:
            lines = [Line(code, debit=amount, **dims), Line("512", credit=amount, **dims)]
        else:
            lines = [Line("512", debit=amount, **dims), Line(code, credit=amount, **dims)]
        who = payment.company or payment.consultant or _("Région")
        entry = entry_post(
            relay=relay,
            date=date,
            label=f"{Payment.Kind(kind).label} — {who} — {payment.reference}",
            event_kind=f"payment.{kind}",
            key=f"payment:{payment.pk}",
            lines=lines,
            author=by,
        )
        Payment.objects.filter(pk=payment.pk).update(entry=entry)
        payment.entry = entry
        del payment.skip_history_when_saving
        Payment.history.bulk_history_create([payment], default_user=by)
        if kind == Payment.Kind.REGION:
            aid_instalments_settle(relay=relay, payment=payment)
    return payment


def aid_instalments_settle(*, relay, payment: Payment) -> list[AidInstalment]:
    """Mark the relay's unpaid instalments covered by the Region's payments as paid.

    The Region pays a relay in lump sums: everything it has paid that is not yet matched
    to an instalment covers the unpaid (due or approved) instalments, oldest due first;
    an instalment is paid only when fully covered (the rest waits for the next payment).
    """
    with transaction.atomic():
        unpaid = list(
            AidInstalment.objects.select_for_update()
            .filter(relay=relay)
            .unpaid()
            .order_by(F("due_on").asc(nulls_last=True), "pk")
        )
        received = (
            Payment.objects.filter(relay=relay, kind=Payment.Kind.REGION).aggregate(
                t=Sum("amount")
            )["t"]
            or ZERO
        )
        matched = (
            AidInstalment.objects.filter(relay=relay, status=AidInstalment.Status.PAID).aggregate(
                t=Sum("amount")
            )["t"]
            or ZERO
        )
        credit = received - matched
        paid = []
        for instalment in unpaid:
            if instalment.amount > credit:
                break
            credit -= instalment.amount
            paid.append(instalment)
        if paid:
            AidInstalment.objects.filter(pk__in=[i.pk for i in paid]).update(
                status=AidInstalment.Status.PAID, paid_on=payment.date, payment=payment
            )
            for instalment in paid:
                instalment.status = AidInstalment.Status.PAID
                instalment.paid_on, instalment.payment = payment.date, payment
    return paid


# --- Period close and the Region's approvals --------------------------------------------------


def period_close(*, relay, until: dt.date, by) -> PeriodClose:
    """Close the relay's books up to `until` (inclusive): no entry may be dated before."""
    _check_relay_writer(by=by, relay=relay)
    if until >= timezone.localdate():
        raise BusinessRuleError(
            _("On ne clôture qu'une période passée (avant aujourd'hui)."), field="until"
        )
    lock = closed_until(relay)
    if lock is not None and until <= lock:
        raise BusinessRuleError(
            _("La période est déjà clôturée jusqu'au %(d)s.") % {"d": lock.strftime("%d/%m/%Y")},
            field="until",
        )
    with transaction.atomic():
        close = PeriodClose.objects.create(relay=relay, closed_until=until, closed_by=by)
        timeline_record(
            subject=relay, verb="period_close", actor=by, message=until.isoformat(), internal=True
        )
    return close


def aid_instalments_approve(*, instalment_ids, by) -> int:
    """The Region approves due instalments of regional aid in bulk (its only write)."""
    if not may_approve_instalments(user=by):
        raise BusinessRuleError(_("Seule la Région approuve les échéances de l'aide régionale."))
    with transaction.atomic():
        return AidInstalment.objects.filter(
            pk__in=list(instalment_ids), status=AidInstalment.Status.DUE
        ).update(status=AidInstalment.Status.APPROVED, approved_by=by, approved_at=timezone.now())
