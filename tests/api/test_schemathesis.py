"""A bounded schemathesis run against a live server with the demo data, every check: no 5xx,
every status, header and body as documented, schema-valid input accepted and invalid input
refused. Runs in `make test`, hence in `.ci/run`; `make api-contract` is the long run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import connection

from api.services import api_token_create
from core.models import User

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "schemathesis.toml"
HOOKS = ROOT / "scripts" / "schemathesis_hooks.py"  # see its docstring
MAX_EXAMPLES = 8  # per operation and phase: small enough for CI (≈ 25 s on 2 workers)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    demo_db,
    transactional_db,
    live_server,
    settings,
    tmp_path,
):
    settings.DEBUG = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/hour"},
    }
    # the administrator may read and write everything: every operation is exercised
    _, raw = api_token_create(user=User.objects.get(email="admin@demo.test"), name="ci")

    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--header",
            f"Authorization: Bearer {raw}",
            "--checks",
            "all",
            "--phases",
            "examples,fuzzing,stateful",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "8",
            "--workers",
            # SQLite's shared in-memory test database deadlocks under concurrent requests
            "2" if connection.vendor == "postgresql" else "1",
            "--request-timeout",
            "20",
            "--no-shrink",
            # generating data slowly on a busy machine (parallel tests) is not an API fault
            "--suppress-health-check=too_slow",
        ],
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", result.stdout)
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert selected and tested, result.stdout[-3000:]
    # every operation of the schema was exercised
    assert int(tested.group(1)) == int(selected.group(2)) >= 16
