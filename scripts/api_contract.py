"""The API against its published schema: schemathesis, every check, per token (`make api-contract`).

Starts the portal (runserver on a free port, the database of DATABASE_URL: it must hold the
demo, `make run` or `manage.py seed_demo` loads it, and it is written to by the run), creates
a personal API token for a relay staff member and one for a company owner, and runs
`schemathesis run --checks all` with each, EXAMPLES examples per operation (default 50).
Prints each run's summary and exits non-zero if either reports a failure.

    DATABASE_URL=… REDIS_URL=… make api-contract               # 50 examples per operation
    EXAMPLES=10 .venv/bin/python scripts/api_contract.py        # quicker
    .venv/bin/python scripts/api_contract.py --url http://127.0.0.1:8000   # a running portal
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKENS = {"relais": "relais-afpi@demo.test", "entreprise": "entreprise01@demo.test"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"le portail ne répond pas sur {url}")


def _tokens() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")
    import django

    django.setup()
    from api.services import api_token_create
    from core.models import User

    tokens = {}
    for label, email in TOKENS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            raise SystemExit(f"{email} absent : chargez la démonstration (make run ou seed_demo)")
        _, tokens[label] = api_token_create(user=user, name="api-contract")
    return tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running portal (default: start one)")
    parser.add_argument("--examples", type=int, default=int(os.environ.get("EXAMPLES", "50")))
    parser.add_argument("--workers", default=os.environ.get("WORKERS", "2"))
    parser.add_argument("--seed", default=os.environ.get("SEED", "19"))
    parser.add_argument("--only", choices=sorted(TOKENS), help="one token only")
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "1")
    env = {**os.environ, "API_RATE_LIMIT": "1000000/hour"}  # the run measures the contract
    server = None
    url = args.url
    if not url:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [str(BIN / "python"), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    failed = False
    try:
        _wait_for(f"{url}/healthz" if server else f"{url}/api/v1/schema/")
        for label, token in _tokens().items():
            if args.only and label != args.only:
                continue
            print(f"== schemathesis, jeton {label}, {args.examples} exemples par opération")
            run = subprocess.run(  # noqa: S603 - the venv's schemathesis
                [
                    str(BIN / "schemathesis"),
                    "--config-file",
                    str(ROOT / "schemathesis.toml"),
                    "run",
                    f"{url}/api/v1/schema/",
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--checks",
                    "all",
                    "--max-examples",
                    str(args.examples),
                    "--seed",
                    str(args.seed),
                    "--workers",
                    str(args.workers),
                    "--request-timeout",
                    "30",
                    "--no-shrink",
                ],
                cwd=ROOT / "var",
                env={
                    **os.environ,
                    "SCHEMATHESIS_HOOKS": str(ROOT / "scripts" / "schemathesis_hooks.py"),
                },
                capture_output=True,
                text=True,
            )
            output = run.stdout + run.stderr
            summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-4000:]
            print(summary.strip())
            if run.returncode != 0:
                failed = True
                print(output[-20000:])
            else:
                print(re.sub(r"\s+", " ", summary.splitlines()[-1]) if summary else "")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
