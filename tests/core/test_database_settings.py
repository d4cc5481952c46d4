"""Production database settings: persistent connections unless psycopg's pool is chosen."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings


def _production_database(**env) -> dict:
    """DATABASES["default"] as performance_pme.settings.base builds it from `env`."""
    code = (
        "import json; from performance_pme.settings import base as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps({k: d.get(k) for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')} "
        "| {'pool': d.get('OPTIONS', {}).get('pool')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=base | {"DATABASE_URL": "postgresql://u@127.0.0.1:5432/x", "DEBUG": "1"} | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_connections_are_persistent_and_checked_by_default():
    assert _production_database() == {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True, "pool": False}


def test_the_lifetime_is_configurable():
    assert _production_database(DATABASE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


def test_the_pool_turns_persistent_connections_off():
    # Django refuses a pool together with persistent connections.
    assert _production_database(DATABASE_POOL="1") == {
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "pool": True,
    }
