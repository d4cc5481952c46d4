"""Shared test set-up.

- The real services: when DATABASE_URL / REDIS_URL are set they must answer,
  or the whole run fails at once (never a silent skip). Tests marked
  `postgres` / `redis` skip, with the reason shown, only when not configured.
- N+1 queries fail every test body and every request (django-zeal).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from zeal import zeal_context, zeal_ignore

from core.demo import DEMO_PASSWORD

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
USES_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "localhost", parsed.port or default_port), 3
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    problems = []
    if DATABASE_URL and USES_POSTGRES and not _reachable(DATABASE_URL, 5432):
        problems.append(f"PostgreSQL ne répond pas ({DATABASE_URL})")
    if REDIS_URL and not _reachable(REDIS_URL, 6379):
        problems.append(f"Redis ne répond pas ({REDIS_URL})")
    if problems:
        raise pytest.UsageError("Services configurés mais injoignables : " + " ; ".join(problems))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres") and not USES_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL non configuré (DATABASE_URL)"))
        if item.get_closest_marker("redis") and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="Redis non configuré (REDIS_URL)"))
        # Transactional tests flush the database when they end, reference data from the
        # data migrations included (themes, offers, départements): restore it before each.
        db_marker = item.get_closest_marker("django_db")
        if db_marker and db_marker.kwargs.get("transaction"):
            item.add_marker(
                pytest.mark.django_db(
                    *db_marker.args, **{**db_marker.kwargs, "serialized_rollback": True}
                )
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every test body runs under N+1 detection (fixtures' set-up is exempt)."""
    with zeal_context():
        return (yield)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def django_assert_max_num_queries_equal(django_assert_num_queries):
    return django_assert_num_queries


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if REDIS_URL else "filesystem"
    return f"performance_pme: database={db} broker={broker}"


@pytest.fixture(scope="session", autouse=True)
def _serialized_reference_data(request):
    """The database content after migrations (reference data), taken before any browser
    starts: Playwright's event loop gives Django another connection object, without it."""
    if not any(
        (m := item.get_closest_marker("django_db")) and m.kwargs.get("transaction")
        for item in request.session.items
    ):
        return None
    request.getfixturevalue("django_db_setup")
    import json

    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    if not contents:
        return None
    # Content types and permissions are recreated by the flush itself (post_migrate).
    rebuilt = ("contenttypes.", "auth.", "admin.", "sessions.")
    return json.dumps([o for o in json.loads(contents) if not o["model"].startswith(rebuilt)])


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, _serialized_reference_data):
    """Transactional tests flush the database when they end: put the reference data back."""
    marker = request.node.get_closest_marker("django_db")
    if _serialized_reference_data and marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("_django_db_helper")
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from core.models import Departement

        ContentType.objects.clear_cache()  # recreated by the flush, with new ids
        if not Departement.objects.exists():
            with zeal_ignore():
                connection.creation.deserialize_db_from_string(_serialized_reference_data)
    yield
