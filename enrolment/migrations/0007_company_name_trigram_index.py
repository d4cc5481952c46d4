"""A trigram index for the staff list's search (name contains …) over 100,000 companies.

PostgreSQL only (pg_trgm); `ILIKE '%…%'` uses it instead of reading every company.
Other databases (SQLite in development) need nothing.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS enrolment_company_name_trgm
    ON enrolment_company USING gin (upper(name) gin_trgm_ops);
"""
BACKWARD = "DROP INDEX IF EXISTS enrolment_company_name_trgm;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0006_audit_history")]
    operations = [migrations.RunPython(forward, backward)]
