"""How many aids were granted per tariff, kept by the database itself.

The de minimis register of the whole programme counted the signed enrolments per tariff at
each page (70,000 at national scale, 12 ms). An enrolment counts as a granted aid while it has
a signature date and a tariff: triggers add or take one from its tariff's tally whenever an
insert, an update or a deletion changes that. The tally is filled from the enrolments here.

SQLite (the development database) drops a table's triggers when a migration remakes it:
tests/core/test_development_database.py checks them after every migration.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import database_triggers

POSTGRESQL = r"""
CREATE OR REPLACE FUNCTION enrolment_granted_aid_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.signed_at IS NOT NULL AND OLD.tariff_id IS NOT NULL THEN
        UPDATE enrolment_grantedaidtally SET granted = granted - 1 WHERE tariff_id = OLD.tariff_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.signed_at IS NOT NULL AND NEW.tariff_id IS NOT NULL THEN
        INSERT INTO enrolment_grantedaidtally (tariff_id, granted) VALUES (NEW.tariff_id, 1)
        ON CONFLICT (tariff_id) DO UPDATE SET granted = enrolment_grantedaidtally.granted + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrolment_granted_aid_insert_delete
    AFTER INSERT OR DELETE ON enrolment_enrolment
    FOR EACH ROW EXECUTE FUNCTION enrolment_granted_aid_tally();
CREATE TRIGGER enrolment_granted_aid_update
    AFTER UPDATE OF signed_at, tariff_id ON enrolment_enrolment
    FOR EACH ROW WHEN (
        OLD.tariff_id IS DISTINCT FROM NEW.tariff_id
        OR (OLD.signed_at IS NULL) <> (NEW.signed_at IS NULL)
    )
    EXECUTE FUNCTION enrolment_granted_aid_tally();
"""

_ADD = """
    INSERT INTO enrolment_grantedaidtally (tariff_id, granted) VALUES (NEW.tariff_id, 1)
    ON CONFLICT (tariff_id) DO UPDATE SET granted = granted + 1;
"""
_TAKE = "UPDATE enrolment_grantedaidtally SET granted = granted - 1 WHERE tariff_id = OLD.tariff_id;"
_GRANTED = "{0}.signed_at IS NOT NULL AND {0}.tariff_id IS NOT NULL"
SQLITE = [
    f"""CREATE TRIGGER enrolment_granted_aid_insert AFTER INSERT ON enrolment_enrolment
    WHEN {_GRANTED.format("NEW")} BEGIN {_ADD} END""",
    f"""CREATE TRIGGER enrolment_granted_aid_delete AFTER DELETE ON enrolment_enrolment
    WHEN {_GRANTED.format("OLD")} BEGIN {_TAKE} END""",
    f"""CREATE TRIGGER enrolment_granted_aid_update_old AFTER UPDATE OF signed_at, tariff_id
    ON enrolment_enrolment WHEN {_GRANTED.format("OLD")} BEGIN {_TAKE} END""",
    f"""CREATE TRIGGER enrolment_granted_aid_update_new AFTER UPDATE OF signed_at, tariff_id
    ON enrolment_enrolment WHEN {_GRANTED.format("NEW")} BEGIN {_ADD} END""",
]

FILL = """
INSERT INTO enrolment_grantedaidtally (tariff_id, granted)
SELECT tariff_id, COUNT(*) FROM enrolment_enrolment
WHERE signed_at IS NOT NULL AND tariff_id IS NOT NULL GROUP BY tariff_id
"""

BACKWARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS enrolment_granted_aid_update ON enrolment_enrolment",
        "DROP TRIGGER IF EXISTS enrolment_granted_aid_insert_delete ON enrolment_enrolment",
        "DROP FUNCTION IF EXISTS enrolment_granted_aid_tally()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS enrolment_granted_aid_{name}"
        for name in ("insert", "delete", "update_old", "update_new")
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0004_deminimis_ceilings"),
        ("enrolment", "0015_relay_copied_from_company"),
    ]

    operations = [
        migrations.CreateModel(
            name="GrantedAidTally",
            fields=[
                (
                    "tariff",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalogue.tariff",
                    ),
                ),
                ("granted", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "décompte des aides accordées",
                "verbose_name_plural": "décomptes des aides accordées",
            },
        ),
        database_triggers(postgresql=[POSTGRESQL], sqlite=SQLITE, fill=FILL, drop=BACKWARD),
    ]
