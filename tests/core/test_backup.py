"""Backups: `make backup` (pg_dump) then `make restore` (pg_restore) into a fresh database give
back the same ledger, with its immutability triggers still enforced."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.funding.factories import close, consultant, log_half_day, signed_enrolment, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BALANCES = """
    SELECT a.relay_id, a.code, SUM(l.debit) - SUM(l.credit), COUNT(*)
    FROM funding_journalline l JOIN funding_account a ON a.id = l.account_id
    GROUP BY a.relay_id, a.code ORDER BY a.relay_id, a.code
"""
TRIGGERS = """
    SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relname LIKE 'funding_journal%%' ORDER BY 1, 2
"""


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _make(target: str, *, database: str, file) -> None:
    env = {**os.environ, "DATABASE_URL": _url(database)}
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", target, f"FILE={file}"],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_dump_restored_into_a_fresh_database_has_the_same_ledger(tmp_path):
    for tool in ("pg_dump", "pg_restore", "make"):
        if shutil.which(tool) is None:  # DATABASE_URL is set (postgres marker): never skip
            pytest.fail(f"{tool} est introuvable : installez postgresql-client (et make).")
    # Given ledger activity: a signed agreement, half-days, a closing.
    enrolment = signed_enrolment()
    expert = consultant()
    log_half_day(enrolment, expert)
    log_half_day(enrolment, expert)
    close(enrolment, staff=staff_user(enrolment.company.relay))
    with connection.cursor() as cursor:
        cursor.execute(BALANCES)
        balances = cursor.fetchall()
        cursor.execute(TRIGGERS)
        triggers = cursor.fetchall()
    assert balances and triggers

    fresh = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "pme.dump"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
        try:
            # When the database is dumped and restored into the fresh one (docs/exploitation.md)
            _make("backup", database=settings.DATABASES["default"]["NAME"], file=dump)
            assert dump.stat().st_size > 0
            _make("restore", database=fresh, file=dump)

            # Then the restored ledger has the same balances, and still refuses changes.
            with psycopg.connect(_url(fresh)) as restored:
                assert restored.execute(BALANCES).fetchall() == balances
                assert restored.execute(TRIGGERS).fetchall() == triggers
                with pytest.raises(psycopg.Error, match="définitives"):
                    restored.execute("UPDATE funding_journalline SET debit = debit + 1")
                restored.rollback()
                with pytest.raises(psycopg.Error, match="définitives"):
                    restored.execute("DELETE FROM funding_journalentry")
                restored.rollback()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    with psycopg.connect(_url("postgres")) as admin:
        gone = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [fresh]).fetchone()
    assert gone is None
