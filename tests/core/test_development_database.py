"""`make run` without DATABASE_URL: every migration applies to an empty SQLite file."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings


def test_every_migration_applies_to_the_development_sqlite_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "performance_pme.settings.base",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        labels = dict(db.execute("SELECT model, app_label FROM django_content_type"))
        triggers = {
            n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    # the models moved between apps carry their new app's label
    assert labels["agreement"] == "agreements" and labels["tariff"] == "catalogue"
    assert labels["seminar"] == "collective"
    # an enrolment's copy of its company's relay and the tallies of granted aids are kept by
    # triggers, which SQLite drops when a later migration remakes the table (enrolment 0015, 0016)
    assert {
        "enrolment_relay_copy_insert",
        "enrolment_relay_copy_update",
        "enrolment_relay_follows_company",
        "enrolment_granted_aid_insert",
        "enrolment_granted_aid_delete",
        "enrolment_granted_aid_update_old",
        "enrolment_granted_aid_update_new",
    } <= triggers
