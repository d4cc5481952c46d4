"""Agreements produced by a REAL Celery worker on the real Redis (no eager mode), with faults."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from pypdf import PdfReader
from zeal import zeal_ignore

from agreements.models import Agreement
from core.models import OutboxMessage
from core.money import format_eur
from core.outbox import outbox_relay_sweep
from enrolment.models import Enrolment
from tests.agreements.helpers import enrolment_validated

from .conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def _agreements(enrolment: Enrolment):
    return list(Agreement.objects.filter(enrolment=enrolment))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(agreement: Agreement) -> str:
    with agreement.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_validating_an_enrolment_produces_exactly_one_agreement_pdf(celery_worker_process):
    celery_worker_process.start()
    with zeal_ignore():
        enrolment = enrolment_validated(offer_code="ciblee")

    wait_for(lambda: _agreements(enrolment), timeout=60, message="aucune convention produite")
    celery_worker_process.settle()  # anything running twice would have run now
    [agreement] = _agreements(enrolment)
    assert agreement.version == 1
    assert agreement.file.storage.exists(agreement.file.name)
    text = _flat(_pdf_text(agreement))
    company = enrolment.company
    tariff = enrolment.tariff
    assert _flat(company.name) in text
    assert company.siret in text
    assert _flat(enrolment.offer.name) in text
    assert _flat(format_eur(tariff.company_contribution_ht)) in text  # 2 440,00 € HT
    ttc = tariff.company_contribution_ht * 120 / 100  # VAT 20 % in force (reference data)
    assert _flat(format_eur(ttc)) in text  # 2 928,00 € TTC
    assert OutboxMessage.objects.get(kind="enrolment.validated").status == "done"


def test_worker_killed_while_rendering_leaves_exactly_one_agreement(celery_worker_process):
    workers = celery_worker_process
    first = workers.start(PME_TEST_SLOW_RENDER=30)
    with zeal_ignore():
        enrolment = enrolment_validated()
    wait_for(workers.marker.exists, timeout=60, message="le rendu n'a pas commencé")

    workers.kill9(first)  # the whole worker, main process and child, mid-render
    assert _agreements(enrolment) == []
    message = OutboxMessage.objects.get(kind="enrolment.validated")
    assert message.status == "pending" and message.attempts == 1

    workers.start()
    time.sleep(1.1)  # OUTBOX_RELAY_RETRY_AFTER_SECONDS=1 for the test workers
    assert outbox_relay_sweep(older_than=timedelta(0), retry_after=timedelta(seconds=1)) >= 1
    wait_for(lambda: _agreements(enrolment), timeout=60, message="pas de convention après reprise")
    # A second delivery of the same message (relay again, redelivery) changes nothing.
    message.refresh_from_db()
    outbox_relay_sweep(older_than=timedelta(0), retry_after=timedelta(0))
    workers.settle()
    assert len(_agreements(enrolment)) == 1
    message.refresh_from_db()
    assert message.status == "done"


def test_broker_unreachable_at_commit_then_agreement_after_it_is_back(celery_worker_process):
    from performance_pme.celery import app

    celery_worker_process.start()
    real_broker = app.conf.broker_url

    def point_broker_to(url: str) -> None:
        from kombu import pools

        pools.reset()  # forget the connections and producers to the previous broker
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url

    point_broker_to("redis://127.0.0.1:9/0")  # nothing listens there: the broker is "down"
    waits: list[float] = []
    try:
        with zeal_ignore(), mock.patch("kombu.utils.functional.sleep", side_effect=waits.append):
            enrolment = enrolment_validated()  # the user's action succeeds regardless
        assert not any(waits), f"the user's request waited for the broker: {waits}"
        enrolment.refresh_from_db()
        assert enrolment.state == "validated"
        message = OutboxMessage.objects.get(kind="enrolment.validated")
        assert message.status == "pending" and message.attempts == 0
        assert outbox_relay_sweep(older_than=timedelta(0)) == 0
    finally:
        point_broker_to(real_broker)
    celery_worker_process.settle()  # nothing reached the worker: no agreement yet
    assert _agreements(enrolment) == []

    # every message left pending while the broker was down goes out, the validation's among them
    waiting = OutboxMessage.objects.filter(status="pending")
    assert message.pk in {m.pk for m in waiting}
    assert outbox_relay_sweep(older_than=timedelta(0)) == len(waiting)
    wait_for(lambda: _agreements(enrolment), timeout=60, message="pas de convention")
    celery_worker_process.settle()
    assert len(_agreements(enrolment)) == 1


def test_pool_process_killed_is_redelivered_by_celery_itself(celery_worker_process):
    """Celery 5.7's retry on worker loss: only the pool child dies, the task comes back."""
    import os
    import signal
    import subprocess

    workers = celery_worker_process
    main = workers.start(PME_TEST_SLOW_RENDER=30)
    with zeal_ignore():
        enrolment = enrolment_validated()
    wait_for(workers.marker.exists, timeout=60, message="le rendu n'a pas commencé")
    children = subprocess.run(
        ["pgrep", "-P", str(main.pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    # no relay sweep here: the worker re-sends the task (countdown default_retry_delay)
    wait_for(lambda: _agreements(enrolment), timeout=60, message="pas de nouvelle tentative")
    workers.settle()
    assert len(_agreements(enrolment)) == 1
    assert "WorkerLostError" in workers.logs() or "retry" in workers.logs().lower()
