"""A Region payment marks the instalments it covers paid, oldest due first."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Relay
from funding.models import AidInstalment, Payment
from funding.services import payment_record

from .factories import company, setup_helper, signed_enrolment, staff_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def relay():
    return Relay.objects.get(slug="afpi")


@pytest.fixture
def staff(relay):
    return staff_user(relay)


def _region_pays(relay, staff, amount, reason=""):
    return payment_record(
        relay=relay,
        kind=Payment.Kind.REGION,
        date=timezone.localdate(),
        amount=D(amount),
        reference="VIR REGION",
        by=staff,
        overpayment_reason=reason,
    )


@setup_helper
def _advances(relay, staff, n=3):
    """n signed enrolments: n due advances, due 20, 10 and 0 days ago (oldest first)."""
    today = timezone.localdate()
    advances = []
    for i in range(n):
        enrolment = signed_enrolment(company=company(relay=relay), staff=staff)
        advance = AidInstalment.objects.get(enrolment=enrolment, kind="advance")
        advance.due_on = today - dt.timedelta(days=10 * (n - 1 - i))
        advance.save(update_fields=["due_on"])
        advances.append(advance)
    return advances


def test_a_region_payment_marks_the_covered_instalments_paid_oldest_first(relay, staff):
    oldest, middle, newest = _advances(relay, staff)
    assert oldest.amount == middle.amount == newest.amount > 0
    amount = oldest.amount + middle.amount / 2  # covers one and a half instalments
    payment = _region_pays(relay, staff, amount)
    statuses = {
        i.pk: (i.status, i.paid_on, i.payment_id)
        for i in AidInstalment.objects.filter(kind="advance")
    }
    assert statuses[oldest.pk] == ("paid", payment.date, payment.pk)
    assert statuses[middle.pk][0] == "due"
    assert statuses[newest.pk][0] == "due"
    # The rest of the first payment plus the second cover the middle one, not the newest.
    second = _region_pays(relay, staff, middle.amount / 2)
    middle.refresh_from_db()
    newest.refresh_from_db()
    assert (middle.status, middle.payment_id) == ("paid", second.pk)
    assert newest.status == "due"


def test_approved_instalments_are_paid_too_and_leave_the_overdue_list(
    client, settings, relay, staff
):
    settings.REMINDER_DELAYS = {**settings.REMINDER_DELAYS, "payment_overdue": 10}
    oldest, middle, newest = _advances(relay, staff)
    AidInstalment.objects.filter(pk=oldest.pk).update(status="approved")
    today = timezone.localdate()
    assert set(AidInstalment.objects.overdue(today=today, days=10)) == {oldest, middle}
    client.force_login(staff)
    page = client.get(reverse("funding:instalments")).content.decode()
    assert page.count("En retard") == 2
    _region_pays(relay, staff, oldest.amount)
    assert set(AidInstalment.objects.overdue(today=today, days=10)) == {middle}
    assert AidInstalment.objects.get(pk=oldest.pk).status == "paid"
    page = client.get(reverse("funding:instalments")).content.decode()
    assert page.count("En retard") == 1
    page = client.get(reverse("funding:instalments"), {"status": "paid"}).content.decode()
    assert "Versée — versée le" in page


def test_a_company_payment_does_not_touch_the_region_instalments(relay, staff):
    [advance] = _advances(relay, staff, n=1)
    payment_record(
        relay=relay,
        kind=Payment.Kind.COMPANY,
        date=timezone.localdate(),
        amount=D("100.00"),
        reference="CHQ 1",
        company=advance.enrolment.company,
        by=staff,
    )
    advance.refresh_from_db()
    assert advance.status == "due"
