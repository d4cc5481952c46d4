"""Demo ledger: postings for the demo enrolments and the payments a relay would have recorded.

Signatures, closings and withdrawals post through the outbox handlers as the
demo enrolments move; this step replays the stored events only for a database
seeded before the ledger existed (it has events and no entry), then records
payments: companies of running and closed missions have paid, the Region has
approved the oldest half of the due instalments and paid those it approved (the
other half waits for its approval), and consultants are paid what they are owed.
No half-day is invented here: they come from the consultants' own demo step.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from consultants.models import Expert
from core.models import User
from core.roles import Role
from enrolment.models import Enrolment, EnrolmentState

from .ledger import ZERO, ledger_replay
from .models import AidInstalment, JournalEntry, JournalLine, Payment
from .services import aid_instalments_approve, payment_due, payment_record


def seed_ledger(ctx: dict) -> None:
    if not JournalEntry.objects.exists():  # a database seeded before the ledger existed
        ledger_replay()
    today = timezone.localdate()
    staff = {
        u.relay_id: u
        for u in User.objects.filter(role=Role.RELAY_STAFF, email__startswith="relais-")
    }
    done = set(
        Payment.objects.filter(reference__startswith="DEMO-").values_list("reference", flat=True)
    )
    enrolments = (
        Enrolment.objects.filter(
            state__in=[EnrolmentState.IN_PROGRESS, EnrolmentState.CLOSED],
            company__relay__isnull=False,
        )
        .select_related("company__relay", "tariff")
        .order_by("pk")
    )
    for enrolment in enrolments:
        relay, by = enrolment.company.relay, staff.get(enrolment.company.relay_id)
        if by is None:
            continue
        reference = f"DEMO-ENT-{enrolment.pk}"
        due = payment_due(relay=relay, kind=Payment.Kind.COMPANY, company=enrolment.company)
        if reference not in done and due > 0:
            payment_record(
                relay=relay,
                kind=Payment.Kind.COMPANY,
                date=today,
                amount=due,
                reference=reference,
                company=enrolment.company,
                by=by,
            )
    # The Region approves half of the due instalments, then pays what it approved (the
    # payment marks instalments paid, oldest due first): the other half waits for approval.
    region = User.objects.filter(email="region@demo.test").first()
    already = AidInstalment.objects.filter(
        status__in=[AidInstalment.Status.APPROVED, AidInstalment.Status.PAID]
    ).exists()
    if region is not None and not already:
        oldest = AidInstalment.objects.filter(status=AidInstalment.Status.DUE).order_by("pk")
        ids = list(oldest.values_list("pk", flat=True)[: max(oldest.count() // 2, 0)])
        if ids:
            aid_instalments_approve(instalment_ids=ids, by=region)
    instalments = AidInstalment.objects.filter(status=AidInstalment.Status.APPROVED).select_related(
        "relay"
    )
    for instalment in instalments.order_by("pk"):
        by = staff.get(instalment.relay_id)
        reference = f"DEMO-REG-{instalment.enrolment_id}-{instalment.kind}"
        if by is None or reference in done or instalment.amount <= 0:
            continue
        payment_record(
            relay=instalment.relay,
            kind=Payment.Kind.REGION,
            date=today,
            amount=instalment.amount,
            reference=reference,
            by=by,
            overpayment_reason="Versement de démonstration",
        )
    owed = (
        JournalLine.objects.filter(account__code="401", consultant__isnull=False)
        .values("account__relay_id", "consultant_id")
        .annotate(c=Sum("credit"), d=Sum("debit"))
    )
    for row in owed:
        amount = (row["c"] or ZERO) - (row["d"] or ZERO)
        by = staff.get(row["account__relay_id"])
        if amount > 0 and by is not None:
            payment_record(
                relay=by.relay,
                kind=Payment.Kind.CONSULTANT,
                date=today,
                amount=amount,
                reference=f"DEMO-CONS-{row['consultant_id']}-{amount}",
                consultant=Expert.objects.get(pk=row["consultant_id"]),
                by=by,
            )
