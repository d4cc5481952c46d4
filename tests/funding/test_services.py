"""Payments, period close, withdrawals, corrections and tariffs: the rules and their messages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue.models import Offer, Tariff
from catalogue.services import tariff_check, tariff_replace
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage, Relay
from funding.ledger import Line, balances, entry_correct, entry_post, ledger_replay
from funding.models import AidInstalment, JournalEntry, JournalLine, Payment
from funding.services import aid_instalments_approve, payment_record, period_close
from tests.factories import UserFactory

from .factories import (
    close,
    company,
    consultant,
    enrolment_ready_to_sign,
    log_half_day,
    sign,
    signed_enrolment,
    staff_user,
    withdraw,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def relay():
    return Relay.objects.get(slug="afpi")


@pytest.fixture
def staff(relay):
    return staff_user(relay)


def _pay(relay, staff, amount, **kw):
    kw.setdefault("kind", Payment.Kind.COMPANY)
    kw.setdefault("date", timezone.localdate())
    return payment_record(relay=relay, amount=D(amount), reference="CHQ 1", by=staff, **kw)


def test_an_overpayment_needs_a_reason_and_is_recorded_as_such(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    with pytest.raises(BusinessRuleError, match="dépasse le restant dû") as err:
        _pay(relay, staff, "3000.00", company=enrolment.company)
    assert err.value.field == "overpayment_reason"
    assert not Payment.objects.exists()
    payment = _pay(
        relay, staff, "3000.00", company=enrolment.company, overpayment_reason="Erreur de virement"
    )
    assert (payment.due_before, payment.overpayment) == (D("2928.00"), D("72.00"))
    assert balances(relay=relay)["411"] == D("-72.00")


def test_negative_or_zero_amounts_are_refused_in_french(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    for amount in ["-10.00", "0.00"]:
        with pytest.raises(BusinessRuleError, match="strictement positif"):
            _pay(relay, staff, amount, company=enrolment.company)


def test_a_closed_period_refuses_back_dated_payments_and_postings(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    period_close(relay=relay, until=yesterday, by=staff)
    with pytest.raises(BusinessRuleError, match="clôturée jusqu'au"):
        _pay(relay, staff, "100.00", company=enrolment.company, date=yesterday)
    with pytest.raises(BusinessRuleError, match="clôturée jusqu'au"):
        entry_post(
            relay=relay,
            date=yesterday,
            label="x",
            event_kind="t",
            key="t1",
            lines=[Line("512", debit=D("1.00")), Line("411", credit=D("1.00"))],
        )
    # an event arriving late is never lost: it is posted on the first open day
    expert = consultant()
    log_half_day(enrolment, expert, date=(yesterday - dt.timedelta(days=30)).isoformat())
    entry = JournalEntry.objects.get(event_kind="mission.halfday_logged")
    assert entry.date == timezone.localdate()
    with pytest.raises(BusinessRuleError, match="déjà clôturée"):
        period_close(relay=relay, until=yesterday - dt.timedelta(days=3), by=staff)


def test_an_unbalanced_entry_is_refused_in_python_too(relay):
    with pytest.raises(BusinessRuleError, match="déséquilibrée"):
        entry_post(
            relay=relay,
            date=timezone.localdate(),
            label="x",
            event_kind="t",
            key="t2",
            lines=[Line("512", debit=D("10.00")), Line("411", credit=D("9.00"))],
        )


def test_staff_of_another_relay_and_the_region_cannot_record_payments(relay):
    enrolment = signed_enrolment(company=company(relay=relay))
    other = staff_user(Relay.objects.get(slug="cci"))
    region = UserFactory(region=True)
    for user in (other, region):
        with pytest.raises(BusinessRuleError):
            _pay(relay, user, "10.00", company=enrolment.company)


def test_events_are_posted_once_even_when_processed_twice(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    expert = consultant()
    message = log_half_day(enrolment, expert)
    before = (JournalEntry.objects.count(), balances(relay=relay))
    ledger_replay()
    ledger_replay()
    # the same half-day delivered again under another outbox key posts nothing new
    OutboxMessage.objects.filter(pk=message.pk)
    log_half_day_again = OutboxMessage(kind=message.kind, key="dup", payload=message.payload)
    from funding.ledger import on_halfday_logged

    on_halfday_logged(log_half_day_again)
    assert (JournalEntry.objects.count(), balances(relay=relay)) == before


def test_withdrawal_keeps_the_advance_or_the_share_of_half_days_delivered(relay, staff):
    early = signed_enrolment(company=company(relay=relay), staff=staff)
    late = signed_enrolment(company=company(relay=relay), staff=staff)
    expert = consultant()
    for _ in range(6):  # 6 of 8 half-days delivered: 75 % > the 50 % advance
        log_half_day(late, expert)
    withdraw(early, staff=staff)
    withdraw(late, staff=staff)
    cancelled = dict(
        JournalLine.objects.filter(
            entry__event_kind="enrolment.withdrawn", account__code="441"
        ).values_list("enrolment_id", "credit")
    )
    assert cancelled == {early.pk: D("2000.00"), late.pk: D("1000.00")}
    assert balances(relay=relay)["740"] == D("-5000.00")  # 2,000 kept + 3,000 kept
    assert balances(relay=relay)["411"] == D("5856.00")  # both contributions stay due
    statuses = dict(
        AidInstalment.objects.filter(kind="balance").values_list("enrolment_id", "status")
    )
    assert statuses == {early.pk: "cancelled", late.pk: "due"}


def test_withdrawal_before_signature_posts_nothing(relay, staff):
    enrolment = enrolment_ready_to_sign(company=company(relay=relay), staff=staff)
    withdraw(enrolment, staff=staff)
    assert not JournalEntry.objects.exists()


def test_a_correction_is_a_reversal_plus_a_new_entry_linked_to_the_original(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    payment = _pay(relay, staff, "2928.00", company=enrolment.company)
    fixed = entry_correct(
        entry=payment.entry,
        by=staff,
        reason="montant erroné",
        lines=[
            Line("512", debit=D("2900.00"), company_id=enrolment.company_id),
            Line("411", credit=D("2900.00"), company_id=enrolment.company_id),
        ],
    )
    reversal = JournalEntry.objects.get(reverses=payment.entry)
    assert fixed.corrects_id == payment.entry_id
    assert reversal.author == staff
    assert balances(relay=relay)["411"] == D("28.00")


def test_the_region_approves_due_instalments_in_bulk_and_nobody_else(relay, staff):
    first = signed_enrolment(company=company(relay=relay), staff=staff)
    second = signed_enrolment(company=company(relay=relay), staff=staff)
    due = AidInstalment.objects.filter(status="due")
    assert due.count() == 2
    with pytest.raises(BusinessRuleError, match="Seule la Région"):
        aid_instalments_approve(instalment_ids=due.values_list("pk", flat=True), by=staff)
    region = UserFactory(region=True)
    ids = list(due.values_list("pk", flat=True))
    assert aid_instalments_approve(instalment_ids=ids, by=region) == 2
    assert set(AidInstalment.objects.filter(kind="advance").values_list("status", flat=True)) == {
        "approved"
    }
    close(first, staff=staff)
    assert AidInstalment.objects.get(enrolment=first, kind="balance").status == "due"
    assert AidInstalment.objects.get(enrolment=second, kind="balance").status == "scheduled"


def test_a_tariff_overlapping_another_of_the_same_offer_is_refused():
    ciblee = Offer.objects.get(code="ciblee")
    overlap = Tariff(
        offer=ciblee,
        valid_from=dt.date(2008, 1, 1),
        duration_months=4,
        company_contribution_ht=D("2500.00"),
        regional_aid_ht=D("4000.00"),
    )
    with pytest.raises(BusinessRuleError, match="chevauche"):
        tariff_check(tariff=overlap)


def test_a_used_tariff_cannot_change_only_be_closed_and_replaced(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    tariff = enrolment.tariff
    tariff.company_contribution_ht = D("2600.00")
    with pytest.raises(BusinessRuleError, match="seulement fermé"):
        tariff_check(tariff=tariff)
    tariff.refresh_from_db()
    new = tariff_replace(
        tariff=tariff, on=dt.date(2027, 1, 1), company_contribution_ht=D("2600.00")
    )
    tariff.refresh_from_db()
    assert tariff.valid_to == dt.date(2026, 12, 31)
    assert (new.valid_from, new.company_contribution_ht) == (dt.date(2027, 1, 1), D("2600.00"))
    enrolment.refresh_from_db()
    assert enrolment.tariff_id == tariff.pk  # the enrolment keeps its price
    assert sign is not None


def test_staff_editing_a_tariff_in_the_admin_get_the_overlap_refused(client):
    admin_user = UserFactory(admin=True)
    client.force_login(admin_user)
    ciblee = Offer.objects.get(code="ciblee")
    response = client.post(
        "/admin/catalogue/tariff/add/",
        {
            "offer": ciblee.pk,
            "valid_from": "2009-01-01",
            "duration_months": 4,
            "half_days": 8,
            "pilots": 1,
            "company_contribution_ht": "2500.00",
            "regional_aid_ht": "4000.00",
            "state_aid_ht": "0",
            "fse_aid_ht": "0",
            "regional_advance_percent": "50",
        },
    )
    assert response.status_code == 200
    assert "chevauche" in response.content.decode()
    assert Tariff.objects.filter(offer=ciblee).count() == 1


def test_state_and_fse_shares_become_receivable_from_other_funders(relay, staff):
    """A PPJ-like tariff co-funded by the State and the FSE is representable and posts."""
    ppj = Offer.objects.get(code="ppj")  # the 1999–2004 programme, reopened for the test
    Offer.objects.filter(pk=ppj.pk).update(is_open=True)
    Tariff.objects.create(
        offer=ppj,
        valid_from=dt.date(2026, 1, 1),
        duration_months=12,
        half_days=10,
        company_contribution_ht=D("3050.00"),
        regional_aid_ht=D("2000.00"),
        state_aid_ht=D("1500.00"),
        fse_aid_ht=D("1000.00"),
    )
    enrolment = signed_enrolment(offer_code="ppj", company=company(relay=relay), staff=staff)
    assert enrolment.tariff.state_aid_ht == D("1500.00")
    got = balances(relay=relay)
    assert (got["442"], got["741"], got["441"], got["411"]) == (
        D("2500.00"),
        D("-2500.00"),
        D("2000.00"),
        D("3660.00"),  # 3,050 + 20 % VAT
    )
    funders = set(JournalLine.objects.filter(account__code="442").values_list("funder", flat=True))
    assert funders == {"state", "fse"}


def test_the_early_exit_rule_is_configurable(relay, staff, settings):
    settings.FUNDING_EARLY_EXIT_RULE = "advance_only"
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    expert = consultant()
    for _ in range(6):
        log_half_day(enrolment, expert)
    withdraw(enrolment, staff=staff)
    assert balances(relay=relay)["740"] == D("-2000.00")  # only the advance is kept
    settings.FUNDING_EARLY_EXIT_RULE = "keep_all"
    other = signed_enrolment(company=company(relay=relay), staff=staff)
    withdraw(other, staff=staff)
    assert balances(relay=relay)["740"] == D("-6000.00")  # nothing cancelled for the second


def test_a_half_day_without_a_rate_accrues_at_the_consultants_own_rate(relay, staff):
    enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
    expert = consultant("760.00")
    log_half_day(enrolment, expert, rate="")
    assert balances(relay=relay)["401"] == D("-760.00")
