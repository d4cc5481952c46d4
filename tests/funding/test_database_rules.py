"""The ledger's rules hold in PostgreSQL itself, whatever Python does."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from core.models import Relay
from funding.ledger import chart_for
from funding.models import JournalEntry, JournalLine

from .factories import signed_enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _check_deferred_constraints():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_updating_a_ledger_line_fails_in_the_database():
    enrolment = signed_enrolment()
    line = JournalLine.objects.filter(enrolment=enrolment).first()
    with pytest.raises(DatabaseError, match="définitives"), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).update(debit=Decimal("1.00"))
    with (
        pytest.raises(DatabaseError, match="définitives"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE funding_journalline SET credit = 0 WHERE id = %s", [line.pk])
    line.refresh_from_db()
    assert line.debit or line.credit


def test_deleting_a_ledger_line_or_entry_fails_in_the_database():
    enrolment = signed_enrolment()
    entry = JournalEntry.objects.get(idempotency_key=f"signed:{enrolment.pk}")
    with pytest.raises(DatabaseError, match="définitives"), transaction.atomic():
        JournalLine.objects.filter(entry=entry)._raw_delete(connection.alias)
    with (
        pytest.raises(DatabaseError, match="définitives"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM funding_journalentry WHERE id = %s", [entry.pk])
    assert entry.lines.count() == 5


def test_an_unbalanced_entry_is_refused_at_commit_by_the_database():
    relay = Relay.objects.get(slug="afpi")
    accounts = chart_for(relay)
    with pytest.raises(IntegrityError, match="déséquilibrée"), transaction.atomic():
        entry = JournalEntry.objects.create(
            relay=relay,
            date="2026-01-05",
            label="Saisie directe",
            event_kind="test",
            idempotency_key="x",
        )
        JournalLine.objects.bulk_create(
            [
                JournalLine(entry=entry, account=accounts["512"], debit=Decimal("100.00")),
                JournalLine(entry=entry, account=accounts["411"], credit=Decimal("99.99")),
            ]
        )
        _check_deferred_constraints()  # what COMMIT would do


def test_an_entry_without_lines_is_refused_by_the_database():
    relay = Relay.objects.get(slug="afpi")
    with pytest.raises(IntegrityError, match="sans ligne"), transaction.atomic():
        JournalEntry.objects.create(
            relay=relay, date="2026-01-05", label="Vide", event_kind="test", idempotency_key="y"
        )
        _check_deferred_constraints()


def test_a_line_with_both_sides_or_a_negative_amount_is_refused_by_a_check_constraint():
    relay = Relay.objects.get(slug="afpi")
    accounts = chart_for(relay)
    entry = JournalEntry(
        relay=relay, date="2026-01-05", label="x", event_kind="t", idempotency_key="z"
    )
    for debit, credit in [("-5.00", "0"), ("5.00", "5.00"), ("0", "0")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.save()
            JournalLine.objects.create(
                entry=entry, account=accounts["512"], debit=Decimal(debit), credit=Decimal(credit)
            )
        entry = JournalEntry(
            relay=relay, date="2026-01-05", label="x", event_kind="t", idempotency_key="z"
        )
