"""The worked example of architecture.md, reproduced to the cent."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import Relay
from funding.ledger import balances
from funding.models import AidInstalment, JournalEntry, Payment
from funding.services import payment_record

from .factories import close, company, consultant, log_half_day, signed_enrolment, staff_user

pytestmark = pytest.mark.django_db
D = Decimal


def _lines(entry):
    return sorted(
        (ln.account.code, ln.debit, ln.credit) for ln in entry.lines.select_related("account")
    )


def test_agreement_signed_posts_exactly_the_architecture_lines():
    enrolment = signed_enrolment(offer_code="ciblee")
    entry = JournalEntry.objects.get(idempotency_key=f"signed:{enrolment.pk}")
    assert _lines(entry) == sorted(
        [
            ("411", D("2928.00"), D("0.00")),
            ("441", D("4000.00"), D("0.00")),
            ("706", D("0.00"), D("2440.00")),
            ("44571", D("0.00"), D("488.00")),
            ("740", D("0.00"), D("4000.00")),
        ]
    )
    assert entry.outbox_message.kind == "enrolment.agreement_signed"
    advance = AidInstalment.objects.get(enrolment=enrolment, kind="advance")
    assert (advance.amount, advance.status) == (D("2000.00"), "due")


def test_one_ciblee_and_one_approfondie_give_the_hand_computed_balances():
    relay = Relay.objects.get(slug="afpi")
    staff = staff_user(relay)
    today = timezone.localdate()
    ciblee = signed_enrolment(offer_code="ciblee", company=company(relay=relay), staff=staff)
    approfondie = signed_enrolment(
        offer_code="approfondie", company=company(relay=relay), staff=staff
    )
    c1, c2 = consultant("805.00"), consultant("805.00")
    for _ in range(8):
        log_half_day(ciblee, c1)
    for _ in range(14):
        log_half_day(approfondie, c2)

    def pay(kind, amount, **who):
        return payment_record(
            relay=relay, kind=kind, date=today, amount=D(amount), reference="VIR", by=staff, **who
        )

    pay(Payment.Kind.COMPANY, "2928.00", company=ciblee.company)
    pay(Payment.Kind.COMPANY, "5448.00", company=approfondie.company)
    pay(Payment.Kind.REGION, "6000.00")  # the two advances: 2,000 + 4,000
    pay(Payment.Kind.CONSULTANT, "6440.00", consultant=c1)  # 8 × 805
    pay(Payment.Kind.CONSULTANT, "11270.00", consultant=c2)  # 14 × 805
    close(ciblee, staff=staff)
    close(approfondie, staff=staff)
    assert set(AidInstalment.objects.filter(kind="balance").values_list("status", "amount")) == {
        ("due", D("2000.00")),
        ("due", D("4000.00")),
    }
    pay(Payment.Kind.REGION, "6000.00")  # the two balances at closing

    assert balances(relay=relay) == {
        "411": D("0.00"),  # 2,928 + 5,448 invoiced, all paid
        "441": D("0.00"),  # 12,000 of aid, all paid
        "706": D("-6980.00"),  # 2,440 + 4,540
        "44571": D("-1396.00"),  # 20 % of 6,980
        "740": D("-12000.00"),  # 4,000 + 8,000
        "604": D("17710.00"),  # 22 half-days × 805
        "401": D("0.00"),  # consultants paid in full
        "512": D("2666.00"),  # 2,928 + 5,448 + 12,000 − 17,710
    }
    assert sum(balances(relay=relay).values()) == D("0.00")
    assert not Payment.objects.filter(overpayment__gt=0).exists()
