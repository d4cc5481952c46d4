"""Benchmark (not a test): agreement rendering time and batch throughput with real workers.

    DATABASE_URL=postgresql://…/scratch REDIS_URL=redis://…/n DEBUG=1 \
        .venv/bin/python bench/agreements.py [--batch 200] [--renders 20]

Uses the database and broker given (migrate it first): creates `--batch` validated
enrolments (companies named "Banc d'essai …"), measures the median time to render one
agreement in this process (font configuration warm, as in a worker), then the wall time
for a batch of agreements produced by 1 and by 2 Celery worker processes
(`celery -A performance_pme worker --concurrency=1` each), through the same outbox path
as the portal's batch action. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from agreements.models import Agreement, AgreementBatchItem  # noqa: E402
from agreements.services import _load, agreement_batch_start, agreement_data, agreement_render  # noqa: E402
from core.models import OutboxMessage  # noqa: E402
from enrolment.models import Enrolment  # noqa: E402
from performance_pme.celery import app  # noqa: E402
from tests.agreements.helpers import enrolment_validated, staff_user  # noqa: E402

PREFIX = "Banc d'essai"


def ensure_enrolments(n: int, staff) -> list[int]:
    ids = list(
        Enrolment.objects.filter(company__name__startswith=PREFIX, state="validated")
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    while len(ids) < n:
        with transaction.atomic():
            e = enrolment_validated(staff=staff, name=f"{PREFIX} {len(ids) + 1:04d}")
        ids.append(e.pk)
    # the portal's own validation events are not part of the measure
    OutboxMessage.objects.filter(status="pending").update(status="done")
    return ids


def reset(ids: list[int]) -> None:
    AgreementBatchItem.objects.filter(enrolment_id__in=ids).delete()
    for a in Agreement.objects.filter(enrolment_id__in=ids):
        a.file.delete(save=False)
    Agreement.objects.filter(enrolment_id__in=ids).delete()


def purge() -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


def start_worker(i: int) -> subprocess.Popen:
    log = open(f"/tmp/bench-worker-{i}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "performance_pme",
            "worker",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"bench{i}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc


def render_times(enrolment_id: int, renders: int) -> tuple[float, float]:
    data = agreement_data(enrolment=_load(enrolment_id))
    t = time.perf_counter()
    agreement_render(data=data, version=1, issued_on=timezone.localdate())
    cold = time.perf_counter() - t
    times = []
    for _ in range(renders):
        t = time.perf_counter()
        agreement_render(data=data, version=1, issued_on=timezone.localdate())
        times.append(time.perf_counter() - t)
    return cold, statistics.median(times)


def batch_throughput(ids: list[int], staff, workers: int) -> float:
    reset(ids)
    purge()
    procs = [start_worker(i) for i in range(workers)]
    try:
        # let the workers boot: each process builds its fonts at start (core.tasks)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            b" ready." in Path(f"/tmp/bench-worker-{i}.log").read_bytes() for i in range(workers)
        ):
            time.sleep(0.2)
        time.sleep(2)
        t = time.perf_counter()
        batch = agreement_batch_start(user=staff, enrolment_ids=ids)
        while batch.items.filter(status="pending").exists():
            time.sleep(0.2)
        elapsed = time.perf_counter() - t
        assert batch.items.filter(status="done").count() == len(ids)
        assert Agreement.objects.filter(enrolment_id__in=ids).count() == len(ids)
        return elapsed
    finally:
        import signal

        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument(
        "--repeat", type=int, default=1, help="batches with 1 and 2 workers, N times"
    )
    args = parser.parse_args()
    staff = staff_user()
    ids = ensure_enrolments(args.batch, staff)
    cold, median = render_times(ids[0], args.renders)
    rows = [
        ("premier rendu (polices à charger)", f"{cold * 1000:.0f} ms"),
        (f"rendu d'une convention, médiane sur {args.renders}", f"{median * 1000:.0f} ms"),
    ]
    for run in range(args.repeat):
        elapsed = {}
        for workers in (1, 2):
            load = os.getloadavg()[0]
            elapsed[workers] = batch_throughput(ids, staff, workers)
            rows.append(
                (
                    f"lot de {args.batch} conventions, {workers} worker(s) (essai {run + 1}, "
                    f"charge {load:.1f})",
                    f"{elapsed[workers]:.1f} s — {args.batch / elapsed[workers] * 60:.0f} "
                    "conventions/min",
                )
            )
            print(rows[-1], flush=True)
        rows.append((f"gain du 2e worker (essai {run + 1})", f"{elapsed[1] / elapsed[2]:.2f}×"))
    print(f"| mesure ({os.cpu_count()} cœurs) | résultat |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
