"""The demo data, seeded once per run into a template database and cloned for the tests.

`seed_demo` takes close to a minute; tests that need the whole demo ask for the `demo_db`
fixture (tests/conftest.py) instead of seeding it themselves:

- the first such test of the run seeds the demo into a **template**: a copy of the freshly
  migrated test database (PostgreSQL `CREATE DATABASE … TEMPLATE …`, SQLite: a file), under
  a lock shared by pytest-xdist's workers, so the run seeds it once whatever the number of
  workers;
- each worker then **clones** the template into its own demo database (`CREATE DATABASE …
  TEMPLATE …`, or a file copy) and points Django's connection at it for the test: the test's
  transaction, the live server's threads and Celery worker processes (they read
  `settings.DATABASES`) all see the demo;
- a test in a transaction (rolled back at its end) leaves the clone as it found it, so the
  next one reuses it; a transactional test (live server) commits, so its clone is dropped
  after it and the next test gets a fresh one.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connections

ALIAS = "default"


def worker_id() -> str:
    """`gw0`, `gw1`… under pytest-xdist, `master` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "master")


def _connection():
    return connections[ALIAS]


def _set_name(name) -> None:
    """Point the connection (and new connections of other threads) at another database."""
    connection = _connection()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[ALIAS]["NAME"] = name


def _is_postgresql() -> bool:
    return _connection().vendor == "postgresql"


def _quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def _server_execute(*statements: str) -> None:
    """Statements run outside any database (CREATE / DROP DATABASE), on the server."""
    with _connection()._nodb_cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _pg_drop(name: str) -> None:
    _server_execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def _pg_copy(source: str, target: str) -> None:
    _pg_drop(target)
    _server_execute(f"CREATE DATABASE {_quote(target)} WITH TEMPLATE {_quote(source)}")


def template_name_for_test_database(test_database_name: str) -> str:
    """The run's template for PostgreSQL: `test_<name>_demo_template` (one for all workers)."""
    suffix = f"_{worker_id()}"
    base = test_database_name
    if worker_id() != "master" and base.endswith(suffix):
        base = base[: -len(suffix)]
    return f"{base}_demo_template"


def drop_template(test_database_name: str) -> None:
    """At the end of the run (xdist's controller, or the only process)."""
    if _is_postgresql():
        _pg_drop(template_name_for_test_database(test_database_name))


def _seed(stdout) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings
    from zeal import zeal_ignore

    from tests.builders import PDF

    # Events the demo records stay pending in its database, as in a test's rolled-back
    # transaction: no task for them is queued to a broker that later tests' workers read.
    # Its agreements carry the builders' stand-in PDF (tests/builders.py): rendering the demo's
    # ~90 agreements with WeasyPrint is a third of the seeding, and no demo test reads them.
    # One transaction: its ~70,000 statements are not each committed (15 % of the seeding).
    with (
        transaction.atomic(),
        override_settings(DEBUG=True),
        zeal_ignore(),
        mock.patch("core.outbox.enqueue", return_value=False),
        mock.patch("agreements.services.agreement_render", return_value=PDF),
    ):
        call_command("seed_demo", stdout=stdout)


def _cache_content_types() -> None:
    """Django's content types in its cache, as after `seed_demo` in this process (these tests
    used to seed the demo themselves). A flush after a transactional test empties that cache;
    the clone has the same content types as the test database (the template is its copy)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


@contextmanager
def _locked(path: Path, *, wait: bool = True):
    """An exclusive lock on the file, shared by the run's processes; yields whether it is held."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class DemoDatabases:
    """One worker's view: the run's template, this worker's clone, the switch between them."""

    def __init__(self, shared_dir: Path, own_dir: Path):
        self.shared_dir = shared_dir  # the same for every worker of the run
        self.own_dir = own_dir
        self.test_database = _connection().settings_dict["NAME"]  # the worker's test DB
        self.postgresql = _is_postgresql()
        self.clone_ready = False
        self._keeper = None  # SQLite in memory: the connection that keeps the test DB alive
        if self.postgresql:
            self.template = template_name_for_test_database(self.test_database)
            self.clone = f"{self.test_database}_demo"  # test_<name>[_gw0]_demo
        else:
            self.template = str(shared_dir / "demo-template.sqlite3")
            self.clone = str(own_dir / "demo.sqlite3")

    # --- the template, once per run -----------------------------------------------------------

    def _ensure_template(self, *, wait: bool = True) -> None:
        """Seed the run's template unless done; without `wait`, only if no worker is at it."""
        done = self.shared_dir / "demo-template.done"
        with _locked(self.shared_dir / "demo-template.lock", wait=wait) as locked:
            if not locked or (done.exists() and done.read_text() == self.template):
                return
            self._build_template()
            done.write_text(self.template)

    def build_template_early(self) -> None:
        """Under xdist: the first worker here seeds the template before its first test while
        the others run theirs (and steal its queue), instead of waiting for it later."""
        self._ensure_template(wait=False)

    def _build_template(self) -> None:
        connection = _connection()
        if self.postgresql:
            connection.close()
            _pg_copy(self.test_database, self.template)
        else:
            connection.ensure_connection()
            Path(self.template).unlink(missing_ok=True)
            target = sqlite3.connect(self.template)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        self._switch_to(self.template)
        try:
            _seed(io.StringIO())
        finally:
            self._switch_back()

    # --- this worker's clone --------------------------------------------------------------------

    def _make_clone(self) -> None:
        if self.postgresql:
            _pg_copy(self.template, self.clone)
        else:
            shutil.copyfile(self.template, self.clone)
        self.clone_ready = True

    def drop_clone(self) -> None:
        if self.postgresql:
            _pg_drop(self.clone)
        else:
            Path(self.clone).unlink(missing_ok=True)
        self.clone_ready = False

    def enter(self) -> None:
        """Point the connection at a pristine demo database (built / cloned when needed)."""
        if not self.clone_ready:
            self._ensure_template()
            self._make_clone()
        self._switch_to(self.clone)
        _cache_content_types()

    def leave(self, *, committed: bool) -> None:
        """Back to the worker's test database; a clone a test committed to is dropped."""
        self._switch_back()
        if committed:
            self.drop_clone()

    # --- the switch -----------------------------------------------------------------------------

    def _switch_to(self, name: str) -> None:
        connection = _connection()
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            # closing the last connection to a shared in-memory database destroys it: keep
            # this one open (and unused) until the connection comes back to it
            connection.ensure_connection()
            self._keeper = connection.connection
            connection.connection = None
        else:
            connection.close()
        _set_name(name)

    def _switch_back(self) -> None:
        connection = _connection()
        connection.close()
        _set_name(self.test_database)
        if self._keeper is not None:
            connection.ensure_connection()  # the same shared in-memory database
            self._keeper.close()
            self._keeper = None
