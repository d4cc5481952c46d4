"""Property-based tests over random sequences of events and payments (hypothesis)."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zeal import zeal_ignore

from core.exceptions import BusinessRuleError
from core.models import Relay
from core.money import CENT
from enrolment.models import Enrolment
from funding.ledger import balances, ledger_replay
from funding.models import AidInstalment, JournalEntry, JournalLine, Payment
from funding.services import payment_record
from reporting.selectors import dashboard
from tests.factories import UserFactory

from .factories import (
    close,
    company,
    consultant,
    enrolment_ready_to_sign,
    log_half_day,
    sign,
    staff_user,
    withdraw,
)

pytestmark = pytest.mark.django_db
OFFERS = ["ciblee", "approfondie", "ciblee"]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("15000"), places=2)
rates = st.decimals(min_value=Decimal("100"), max_value=Decimal("999.99"), places=2)
ops = st.one_of(
    st.tuples(st.just("sign"), st.integers(0, 2)),
    st.tuples(st.just("halfday"), st.integers(0, 2), rates),
    st.tuples(st.just("close"), st.integers(0, 2)),
    st.tuples(st.just("withdraw"), st.integers(0, 2)),
    st.tuples(st.just("pay_company"), st.integers(0, 2), amounts, st.booleans()),
    st.tuples(st.just("pay_region"), st.integers(0, 1), amounts, st.booleans()),
    st.tuples(st.just("pay_consultant"), st.integers(0, 1), amounts, st.booleans()),
)


@pytest.fixture
def world():
    relays = [Relay.objects.get(slug="afpi"), Relay.objects.get(slug="cci")]
    staff = [staff_user(r) for r in relays]
    companies = [company(relay=relays[i % 2]) for i in range(3)]
    # built once: every example runs in a transaction rolled back at its end, so each one
    # starts from these three enrolments as they are here
    enrolments = [
        enrolment_ready_to_sign(offer_code=offer, company=c, staff=staff[i % 2])
        for i, (offer, c) in enumerate(zip(OFFERS, companies, strict=True))
    ]
    return {
        "relays": relays,
        "staff": staff,
        "companies": companies,
        "enrolments": [e.pk for e in enrolments],
        "consultant": consultant("805.00"),
        "region": UserFactory(region=True),
    }


def _snapshot():
    return (
        sorted(JournalEntry.objects.values_list("idempotency_key", flat=True)),
        {r.slug: balances(relay=r) for r in Relay.objects.all()},
        sorted(AidInstalment.objects.values_list("enrolment_id", "kind", "status", "amount")),
    )


def _apply(op, w, enrolments):
    kind = op[0]
    today = timezone.localdate()
    if kind == "sign":
        sign(enrolments[op[1]])
    elif kind == "halfday":
        e = enrolments[op[1]]
        e.refresh_from_db()
        if e.state in {"agreement_signed", "in_progress"}:
            log_half_day(e, w["consultant"], rate=str(op[2]))
    elif kind == "close":
        e = enrolments[op[1]]
        close(e, staff=w["staff"][op[1] % 2])
    elif kind == "withdraw":
        withdraw(enrolments[op[1]], staff=w["staff"][op[1] % 2])
    else:
        idx, amount, reason = op[1], op[2], op[3]
        relay_idx = idx % 2
        extra = {}
        if kind == "pay_company":
            extra = {"kind": Payment.Kind.COMPANY, "company": w["companies"][idx]}
        elif kind == "pay_region":
            extra = {"kind": Payment.Kind.REGION}
        else:
            extra = {"kind": Payment.Kind.CONSULTANT, "consultant": w["consultant"]}
        payment_record(
            relay=w["relays"][relay_idx],
            date=today,
            amount=amount,
            reference="REF",
            by=w["staff"][relay_idx],
            overpayment_reason="trop versé" if reason else "",
            **extra,
        )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(ops, min_size=1, max_size=14))
def test_random_sequences_keep_the_ledger_sound(world, sequence):
    with zeal_ignore(), transaction.atomic():
        enrolments = [Enrolment.objects.get(pk=pk) for pk in world["enrolments"]]
        for op in sequence:
            try:
                with transaction.atomic():
                    _apply(op, world, enrolments)
            except BusinessRuleError:
                pass  # a refused step (e.g. closing before signing) changes nothing

        # every entry balances (Python view) ...
        unbalanced = (
            JournalLine.objects.values("entry")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .exclude(d=F("c"))
        )
        assert not unbalanced.exists()
        # ... and PostgreSQL's deferred constraint trigger agrees, as at commit
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # for every relay the sum of balances is zero, in exact cents
        for relay in world["relays"]:
            per_account = balances(relay=relay)
            assert sum(per_account.values(), Decimal("0")) == 0
            for value in per_account.values():
                assert isinstance(value, Decimal) and value == value.quantize(CENT)
        # no overpayment without its reason
        assert not Payment.objects.filter(overpayment__gt=0, overpayment_reason="").exists()

        # replaying every event a second time changes nothing
        before = _snapshot()
        ledger_replay()
        assert _snapshot() == before

        # the dashboard totals are the sums of the entries
        data = dashboard(user=world["region"])
        totals = data["totals"]
        lines = JournalLine.objects.all()

        def total(qs, expr):
            return qs.aggregate(t=Sum(expr))["t"] or Decimal("0")

        committed = -sum(
            (
                v
                for r in world["relays"]
                for c, v in balances(relay=r).items()
                if c in {"706", "740", "741"}
            ),
            Decimal("0"),
        )
        assert totals["committed"] == committed
        assert totals["received"] == total(lines.filter(account__code="512"), "debit")
        assert totals["paid"] == total(lines.filter(account__code="512"), "credit")
        assert totals["accrued"] == total(lines.filter(account__code="604"), "debit") - total(
            lines.filter(account__code="604"), "credit"
        )
        transaction.set_rollback(True)
