"""A REAL Celery worker on the real Redis, started as a subprocess against the test database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{auth}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """Start, kill -9 and stop `celery worker` processes for one test."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.marker = tmp_path / "rendering"

    def env(self, **extra) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DJANGO_SETTINGS_MODULE": "performance_pme.settings.test",
            "DEBUG": "1",
            "OUTBOX_RELAY_AFTER_SECONDS": "0",
            "OUTBOX_RELAY_RETRY_AFTER_SECONDS": "1",
            "PME_TEST_RENDER_MARKER": str(self.marker),
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(
        self, *, concurrency: int = 1, timeout: float = 60, args: tuple = (), **env
    ) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.procs)}.log"
        proc = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "tests.integration.worker_app",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                *args,
            ],
            cwd=ROOT,
            env=self.env(**env),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the children too
        )
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"Le worker s'est arrêté :\n{log.read_text()}")
            if b" ready." in log.read_bytes():
                return proc
            time.sleep(0.2)
        raise RuntimeError(f"Le worker n'a pas démarré :\n{log.read_text()}")

    def kill9(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)

    def settle(self, timeout: float = 30) -> None:
        """Wait until nothing is left to run: the queue is empty and every task the running
        workers received has ended (a task run twice, a retry or a redelivery would show up
        before this returns, with no fixed sleep)."""
        try:
            wait_for(
                lambda: _queue_size() == 0 and not self._unfinished(), timeout=timeout, interval=0.1
            )
        except AssertionError:
            raise AssertionError(f"des tâches restent en cours :\n{self.logs()}") from None

    def _unfinished(self) -> set[str]:
        last: dict[str, str] = {}
        for proc in self.procs:
            if proc.poll() is None:  # a killed worker's last task is not waited for
                for task_id, word in TASK_LINE.findall(proc.log.read_text(errors="replace")):  # type: ignore[attr-defined]
                    last[task_id] = word
        return {task_id for task_id, word in last.items() if word in {"received", "retry"}}

    def logs(self) -> str:
        return "\n".join(p.log.read_text(errors="replace") for p in self.procs)  # type: ignore[attr-defined]


#: a task's life in a worker's log: received, then succeeded / failed / raised, or retry
TASK_LINE = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (received|succeeded|failed|raised|retry)")


def _queue_size() -> int:
    from performance_pme.celery import app

    with app.connection_for_write() as conn:
        # the Redis transport's count (its priority lists and key prefix included)
        return conn.default_channel._size(app.conf.task_default_queue)


def _purge_queue() -> None:
    from performance_pme.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("PostgreSQL non configuré (DATABASE_URL)")
    _purge_queue()
    workers = WorkerProcess(tmp_path)
    yield workers
    workers.stop_all()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.3, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or "condition non remplie à temps")
