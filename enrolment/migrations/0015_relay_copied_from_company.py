"""An enrolment carries its company's relay, copied by the database itself.

A relay's list read the Region's enrolments newest first and probed each one's company for
its relay (2,000 probes for a page at national scale). The copy is kept by triggers, so
that no code path (a page, the API, the admin, a COPY of the national benchmark) can leave it
behind: on every insert or update of an enrolment it is read from the company, and a company
that changes relay carries its enrolments along.

SQLite (the development database) remakes a table when a migration alters it, which drops its
triggers: tests/core/test_development_database.py checks the copy after every migration.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import database_triggers

POSTGRESQL = r"""
CREATE OR REPLACE FUNCTION enrolment_relay_from_company() RETURNS trigger AS $$
BEGIN
    NEW.relay_id := (SELECT relay_id FROM enrolment_company WHERE id = NEW.company_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_relay_copy
    BEFORE INSERT OR UPDATE ON enrolment_enrolment
    FOR EACH ROW EXECUTE FUNCTION enrolment_relay_from_company();

CREATE OR REPLACE FUNCTION enrolment_relay_follows_company() RETURNS trigger AS $$
BEGIN
    UPDATE enrolment_enrolment SET relay_id = NEW.relay_id WHERE company_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_relay_follows_company
    AFTER UPDATE OF relay_id ON enrolment_company
    FOR EACH ROW WHEN (OLD.relay_id IS DISTINCT FROM NEW.relay_id)
    EXECUTE FUNCTION enrolment_relay_follows_company();
"""

SQLITE = [
    """
    CREATE TRIGGER enrolment_relay_copy_insert AFTER INSERT ON enrolment_enrolment BEGIN
        UPDATE enrolment_enrolment SET relay_id =
            (SELECT relay_id FROM enrolment_company WHERE id = NEW.company_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER enrolment_relay_copy_update AFTER UPDATE ON enrolment_enrolment BEGIN
        UPDATE enrolment_enrolment SET relay_id =
            (SELECT relay_id FROM enrolment_company WHERE id = NEW.company_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER enrolment_relay_follows_company AFTER UPDATE OF relay_id ON enrolment_company
    WHEN OLD.relay_id IS NOT NEW.relay_id BEGIN
        UPDATE enrolment_enrolment SET relay_id = NEW.relay_id WHERE company_id = NEW.id;
    END
    """,
]

FILL = """
UPDATE enrolment_enrolment SET relay_id =
    (SELECT relay_id FROM enrolment_company WHERE enrolment_company.id = enrolment_enrolment.company_id)
"""

BACKWARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS enrolment_relay_follows_company ON enrolment_company",
        "DROP FUNCTION IF EXISTS enrolment_relay_follows_company()",
        "DROP TRIGGER IF EXISTS enrolment_relay_copy ON enrolment_enrolment",
        "DROP FUNCTION IF EXISTS enrolment_relay_from_company()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS enrolment_relay_follows_company",
        "DROP TRIGGER IF EXISTS enrolment_relay_copy_update",
        "DROP TRIGGER IF EXISTS enrolment_relay_copy_insert",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_submission"),
        ("enrolment", "0014_signed_order_carries_tariff"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="relay",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.relay",
                verbose_name="structure relais",
            ),
        ),
        database_triggers(postgresql=[POSTGRESQL], sqlite=SQLITE, fill=FILL, drop=BACKWARD),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                fields=["relay", "-created_at", "-id"], name="enrolment_relay_newest"
            ),
        ),
    ]
