"""Production shape: docker-compose services and `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_runs_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker", "beat"):
        assert "build" in services[name] or "image" in services[name]
        assert "healthcheck" in services[name] or name != "web"
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert any("media" in v for v in services["web"]["volumes"])
    for name in ("db", "redis"):
        assert "healthcheck" in services[name]


def test_check_deploy_reports_no_issue():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "-K8s!z@q#Lw^2vN&pQ7rT*yU0iO9eR3",
        "ALLOWED_HOSTS": "pme.example.fr",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the test suite only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_RESPONSE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

response = Client().get("/healthz", secure=True, HTTP_HOST="pme.example.fr")
print(json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "cookies": {
        "session_secure": settings.SESSION_COOKIE_SECURE,
        "csrf_secure": settings.CSRF_COOKIE_SECURE,
        "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    },
    "redirect": Client().get("/accounts/login/", HTTP_HOST="pme.example.fr").get("Location"),
}))
"""


def test_production_settings_answer_with_the_security_headers(tmp_path):
    """A real response under the production settings (DEBUG off) carries every security header."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "-K8s!z@q#Lw^2vN&pQ7rT*yU0iO9eR3",
        "ALLOWED_HOSTS": "pme.example.fr",
        "DJANGO_SETTINGS_MODULE": "performance_pme.settings.base",
        "VAR_DIR": str(tmp_path),  # SQLite and the file broker: /healthz answers without services
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_RESPONSE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    import json

    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert answer["status"] == 200, answer
    csp = {
        part.split()[0]: part.split()[1:] for part in headers["Content-Security-Policy"].split(";")
    }
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert answer["cookies"] == {
        "session_secure": True,
        "csrf_secure": True,
        "session_httponly": True,
    }
    assert answer["redirect"] == "https://pme.example.fr/accounts/login/"  # HTTP → HTTPS
