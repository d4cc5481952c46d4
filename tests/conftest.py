"""Shared test set-up.

- The real services: when DATABASE_URL / REDIS_URL are set they must answer,
  or the whole run fails at once (never a silent skip). Tests marked
  `postgres` / `redis` skip, with the reason shown, only when not configured.
- N+1 queries fail every test body and every request (django-zeal).
"""

from __future__ import annotations

import gc
import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.utils import translation
from zeal import zeal_context

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


def pytest_collection_finish(session):
    """Fewer garbage collections: what collection and the imports left is frozen (never scanned
    again), and the young generation is collected every 50,000 allocations instead of 700
    (measured: about 4 % less CPU on the authorization matrix, 130 MB more per process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def pytest_collection_modifyitems(config, items):
    # Demo tests last: under xdist the first worker seeds the demo template before its first test
    # (`_demo_template_early`) while the others run tests that need no demo, instead of waiting.
    # In each group the browser and worker tests (the longest) come first, so that the run does
    # not end with one process finishing a long test while the others wait.
    items.sort(
        key=lambda item: (
            "demo_db" in item.fixturenames,
            not item.nodeid.startswith(("tests/e2e/", "tests/integration/")),
        )
    )  # stable: file order otherwise
    for item in items:
        if item.get_closest_marker("postgres") and not USES_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL non configuré (DATABASE_URL)"))
        if item.get_closest_marker("redis") and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="Redis non configuré (REDIS_URL)"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every test body runs under N+1 detection (fixtures' set-up is exempt)."""
    with zeal_context():
        return (yield)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread: each test starts in French."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def django_assert_max_num_queries_equal(django_assert_num_queries):
    return django_assert_num_queries


def pytest_sessionfinish(session):
    """xdist's controller drops the demo template its workers shared (tests/demo_db.py)."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return  # a worker, or a run without xdist: the `_demo_databases` fixture drops it
    if not USES_POSTGRES:
        return  # SQLite: the template is a file in the run's temporary directory
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from tests.demo_db import drop_template

    with config.stash[blocking_manager_key].unblock():
        drop_template(connection.creation._get_test_db_name())


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if REDIS_URL else "filesystem"
    return f"performance_pme: database={db} broker={broker}"


# --- Transactional tests and reference data (added with the API, issue 8) --------------
# A transactional (live-server) test commits to the test database. At its end the database is
# put back as the migrations left it, reference data included (relays, départements, offers,
# themes…), so every test finds it so, whatever order the tests run in: see
# tests/reference_data.py, whose restore() replaces TransactionTestCase's flush.


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up, plus a snapshot of the reference data the migrations loaded."""
    from unittest import mock

    from django.test import TransactionTestCase

    from tests import reference_data

    with django_db_blocker.unblock():
        snapshot = reference_data.snapshot()

    def _fixture_teardown(test_case):
        assert test_case._databases_names(include_mirrors=False) == [reference_data.ALIAS]
        snapshot.restore()

    with mock.patch.object(TransactionTestCase, "_fixture_teardown", _fixture_teardown):
        yield


def _is_transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


# --- Two-factor authentication (issue 9) -------------------------------------------------------
# Directors, the Region, administrators and Django staff must give a code after the password
# (core.middleware.OTPRequiredMiddleware), in tests as in production. The one test mechanism:
# the `client` fixture's force_login() also verifies the session with a real TOTP device of the
# user (created if missing), exactly as the code page does after a right code.
from django.test import Client  # noqa: E402


def otp_test_device(user):
    """The user's confirmed TOTP device (created with a random key if they have none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from zeal import zeal_ignore

    with zeal_ignore():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


class OTPClient(Client):
    """A test client whose force_login() passes the second step for users who need it."""

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY

        from core.security import SESSION_HAS_DEVICE, otp_required_by_role

        super().force_login(user, backend)
        if otp_required_by_role(user):
            device = otp_test_device(user)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session[SESSION_HAS_DEVICE] = True
            session.save()

    def force_login_password_only(self, user, backend=None):
        """Only the password step: what a user is before giving their code."""
        super().force_login(user, backend)


@pytest.fixture
def client() -> OTPClient:
    return OTPClient()


# --- The demo data, seeded once per run (issue 14) ------------------------------------------------
# A test that needs the whole demo asks for `demo_db`: its database is then a clone of a
# template seeded once per run (tests/demo_db.py), not the worker's test database.


@pytest.fixture(scope="session")
def _demo_databases(django_db_setup, django_db_blocker, tmp_path_factory):
    from tests.demo_db import DemoDatabases, drop_template, worker_id

    own_dir = tmp_path_factory.getbasetemp()
    # xdist's workers share their parent directory (one per run); without xdist, ours only
    shared_dir = own_dir.parent if worker_id() != "master" else own_dir
    with django_db_blocker.unblock():
        demo = DemoDatabases(shared_dir=shared_dir, own_dir=own_dir)
    yield demo
    with django_db_blocker.unblock():
        demo.drop_clone()
        if worker_id() == "master":
            drop_template(demo.test_database)


@pytest.fixture(scope="session", autouse=True)
def _demo_template_early(request):
    """Under xdist, when the run has demo tests, the first worker seeds the template first."""
    from tests.demo_db import worker_id

    if worker_id() == "master":
        return  # one process: the first demo test seeds it
    if not any("demo_db" in item.fixturenames for item in request.session.items):
        return
    demo = request.getfixturevalue("_demo_databases")
    with request.getfixturevalue("django_db_blocker").unblock():
        demo.build_template_early()


@pytest.fixture
def _demo_database_switch(request):
    """For a `demo_db` test: the connection on the demo's clone before the test's transaction."""
    if "demo_db" not in request.fixturenames:
        yield
        return
    demo = request.getfixturevalue("_demo_databases")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        demo.enter()
    yield
    with blocker.unblock():
        demo.leave(committed=_is_transactional(request.node))


@pytest.fixture
def _django_db_helper(_demo_database_switch, _django_db_helper):
    """pytest-django's database set-up, after the switch to the demo's clone when asked."""
    return _django_db_helper


@pytest.fixture
def demo_db(_django_db_helper):
    """The whole demo (`seed_demo`), as `make run` loads it: see tests/demo_db.py.

    A test in a transaction may change it (rolled back); a transactional test (live server)
    gets a clone of its own.
    """
