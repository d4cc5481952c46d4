"""Money recorded exactly once: a double click records one payment, and two payments of the
whole amount still due at the same instant never leave the receivable negative without the
written reason. Two threads on real PostgreSQL, started at the same instant."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from core.models import Relay, Submission
from funding.models import AidInstalment, Payment
from funding.services import payment_due
from tests.concurrency import race, submission_key
from tests.conftest import OTPClient
from tests.factories import UserFactory

from .factories import company, signed_enrolment, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def afpi():
    return Relay.objects.get(slug="afpi")


@pytest.fixture
def staff(afpi):
    return staff_user(afpi)


@pytest.fixture
def signed(afpi, staff):
    return signed_enrolment(company=company(relay=afpi), staff=staff)


def _client(user) -> OTPClient:
    client = OTPClient()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _payment(signed, amount: str, key: str) -> dict:
    return {
        "kind": "company",
        "date": timezone.localdate().isoformat(),
        "amount": amount,
        "reference": "VIR 2026-001",
        "company": signed.company_id,
        "submission_key": key,
    }


def test_a_payment_posted_twice_at_once_is_recorded_once(afpi, staff, signed):
    url = reverse("funding:payment_create", args=[afpi.slug])
    first, second = _client(staff), _client(staff)
    key = submission_key(first.get(url).content.decode())
    data = _payment(signed, "1 000,00", key)

    answers = race(lambda: first.post(url, data), lambda: second.post(url, data))

    assert [a.status_code for a in answers] == [302, 302], answers
    payment = Payment.objects.get()  # one payment, one ledger entry
    statement = reverse("funding:company_statement", args=[afpi.slug, signed.company_id])
    assert {a.url for a in answers} == {statement}
    said = sorted(m for a in answers for m in _messages(a))
    recorded = f"Paiement enregistré (écriture n° {payment.entry_id})."
    assert said == sorted(
        [
            recorded,
            f"Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois. {recorded}",
        ]
    )
    assert payment_due(relay=afpi, kind="company", company=signed.company) == Decimal("1928.00")
    assert Submission.objects.get().key == key


def test_the_same_form_sent_again_later_shows_the_first_result(client, afpi, staff, signed):
    client.force_login(staff)
    url = reverse("funding:payment_create", args=[afpi.slug])
    data = _payment(signed, "1 000,00", submission_key(client.get(url).content.decode()))
    client.post(url, data)
    again = client.post(url, data, follow=True)  # the browser's back button, then "send" again
    assert "il n'a été enregistré qu'une fois" in unescape(again.content.decode())
    assert Payment.objects.count() == 1
    # a new form has a new key: a second, real payment is recorded
    data["submission_key"] = submission_key(client.get(url).content.decode())
    client.post(url, data)
    assert Payment.objects.count() == 2


def test_a_refused_payment_keeps_its_key_for_the_corrected_form(client, afpi, staff, signed):
    client.force_login(staff)
    url = reverse("funding:payment_create", args=[afpi.slug])
    key = submission_key(client.get(url).content.decode())
    refused = client.post(url, _payment(signed, "5 000,00", key))  # more than the 2,928 due
    assert "dépasse le restant dû" in refused.content.decode()
    assert submission_key(refused.content.decode()) == key  # the same form, corrected below
    assert client.post(url, _payment(signed, "2 928,00", key)).status_code == 302
    assert Payment.objects.count() == 1


def test_two_payments_of_the_whole_amount_due_at_once_cannot_overpay(afpi, signed):
    url = reverse("funding:payment_create", args=[afpi.slug])
    due = payment_due(relay=afpi, kind="company", company=signed.company)
    assert due == Decimal("2928.00")
    first, second = _client(staff_user(afpi)), _client(staff_user(afpi))
    keys = [submission_key(c.get(url).content.decode()) for c in (first, second)]

    answers = race(
        lambda: first.post(url, _payment(signed, "2 928,00", keys[0])),
        lambda: second.post(url, _payment(signed, "2 928,00", keys[1])),
    )

    assert sorted(a.status_code for a in answers) == [200, 302], answers
    refused = next(a for a in answers if a.status_code == 200).content.decode()
    assert "Le montant dépasse le restant dû (0,00" in refused
    payment = Payment.objects.get()
    assert payment.due_before == Decimal("2928.00") and payment.overpayment == 0
    assert payment_due(relay=afpi, kind="company", company=signed.company) == 0


def test_instalments_approved_twice_at_once_are_approved_once(afpi, staff, signed):
    region = UserFactory(region=True)
    first, second = _client(region), _client(region)
    url = reverse("funding:instalments")
    key = submission_key(first.get(url).content.decode())
    ids = list(AidInstalment.objects.filter(status="due").values_list("pk", flat=True))
    assert len(ids) == 1
    data = {"instalment": ids, "submission_key": key, "confirm": "1"}

    answers = race(lambda: first.post(url, data), lambda: second.post(url, data))

    assert [a.status_code for a in answers] == [302, 302]
    said = sorted(m for a in answers for m in _messages(a))
    assert said == [
        "1 échéance(s) approuvée(s).",
        "Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois. "
        "1 échéance(s) approuvée(s).",
    ]
    assert AidInstalment.objects.get(pk=ids[0]).status == "approved"
    assert Submission.objects.filter(action="funding.instalments_approve").count() == 1
