"""The ledger's rules enforced by PostgreSQL itself, not only by Python.

- every journal entry balances (sum of debits = sum of credits) and has lines: a
  DEFERRABLE INITIALLY DEFERRED constraint trigger, checked at commit;
- entries and lines are immutable: UPDATE and DELETE are refused by triggers
  (TRUNCATE, used only to empty a test database, fires no row trigger).

Other databases (SQLite in development) rely on the Python checks of
`funding.services.entry_post` and the models' save()/delete().
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION funding_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Écritures comptables définitives : % interdit sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_journalentry_immutable
    BEFORE UPDATE OR DELETE ON funding_journalentry
    FOR EACH ROW EXECUTE FUNCTION funding_ledger_immutable();
CREATE TRIGGER funding_journalline_immutable
    BEFORE UPDATE OR DELETE ON funding_journalline
    FOR EACH ROW EXECUTE FUNCTION funding_ledger_immutable();

CREATE OR REPLACE FUNCTION funding_entry_balanced() RETURNS trigger AS $$
DECLARE
    eid bigint;
    total_debit numeric;
    total_credit numeric;
    line_count integer;
BEGIN
    IF TG_TABLE_NAME = 'funding_journalentry' THEN
        eid := NEW.id;
    ELSE
        eid := NEW.entry_id;
    END IF;
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*)
      INTO total_debit, total_credit, line_count
      FROM funding_journalline WHERE entry_id = eid;
    IF line_count = 0 THEN
        RAISE EXCEPTION 'Écriture % sans ligne.', eid USING ERRCODE = 'check_violation';
    END IF;
    IF total_debit <> total_credit THEN
        RAISE EXCEPTION 'Écriture % déséquilibrée : débit % ≠ crédit %.', eid, total_debit, total_credit
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funding_journalline_balanced
    AFTER INSERT ON funding_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_entry_balanced();
CREATE CONSTRAINT TRIGGER funding_journalentry_has_lines
    AFTER INSERT ON funding_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_entry_balanced();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funding_journalentry_has_lines ON funding_journalentry;
DROP TRIGGER IF EXISTS funding_journalline_balanced ON funding_journalline;
DROP FUNCTION IF EXISTS funding_entry_balanced();
DROP TRIGGER IF EXISTS funding_journalline_immutable ON funding_journalline;
DROP TRIGGER IF EXISTS funding_journalentry_immutable ON funding_journalentry;
DROP FUNCTION IF EXISTS funding_ledger_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_ledger")]
    operations = [migrations.RunPython(forward, backward)]
