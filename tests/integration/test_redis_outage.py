"""Redis really stopped: every page still answers, a validation succeeds, its agreement follows.

A private `redis-server` on a free port carries the portal's cache and broker and a real
Celery worker (with its embedded beat running the outbox relay every second). Redis is then
stopped: the main page of every role, an enrolment's pages, the dashboard and every API list
endpoint answer without a 5xx (the cache fails open, core.cache); relay staff validate an
enrolment; Redis is started again and the outbox relay delivers the agreement.

Run with CACHE_FAIL_OPEN=0 and the pages fail with 500 (the cache's ConnectionError).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from zeal import zeal_ignore

from agreements.models import Agreement
from api.urls import router
from catalogue.models import Offer
from consultants.models import Expert
from core.cache import cache_bypass_reset
from core.models import OutboxMessage, Relay
from core.roles import Role
from diagnostics.models import Theme
from enrolment.actions import choose_offer
from enrolment.models import EnrolmentState, ExportJob
from tests.conftest import OTPClient
from tests.enrolment.helpers import PILOT, diagnosed_enrolment
from tests.factories import UserFactory

from .conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    """A `redis-server` of the test's own, on a free port, that the test stops and restarts."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.dir / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _answers(self.port), timeout=15, message="redis-server ne répond pas")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        assert not _answers(self.port)


@pytest.fixture
def private_redis(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("redis-server absent")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def _point_broker_to(url: str) -> None:
    from kombu import pools

    from performance_pme.celery import app

    pools.reset()  # forget the connections and producers to the previous broker
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def portal_on_private_redis(private_redis, settings):
    """The portal's cache and broker on the private Redis (cache settings as configured)."""
    from performance_pme.celery import app

    cache_bypass_reset()
    settings.CACHES = {
        "default": {**django_settings.CACHES["default"], "LOCATION": private_redis.url}
    }
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 60  # the dashboard reads its figures from the cache
    real_broker = app.conf.broker_url
    _point_broker_to(private_redis.url)
    yield private_redis
    _point_broker_to(real_broker)
    cache_bypass_reset()


def _world():
    """An enrolment waiting for its relay's validation, and one user of each role."""
    enrolment = diagnosed_enrolment(weak=("stocks",))
    owner = enrolment.company.owner
    choose_offer(
        enrolment=enrolment,
        by=owner,
        offer=Offer.objects.get(code="ciblee"),
        pilots=[PILOT],
        problem_theme=Theme.objects.get(code="stocks"),
    )
    relay = enrolment.company.relay
    consultant = UserFactory(consultant=True)
    Expert.objects.create(user=consultant, kind=Expert.Kind.CONSULTANT)
    trainer = UserFactory(trainer=True)
    Expert.objects.create(user=trainer, kind=Expert.Kind.TRAINER)
    users = {
        Role.OWNER: owner,
        Role.RELAY_STAFF: UserFactory(role=Role.RELAY_STAFF, relay=relay),
        Role.CONSULTANT: consultant,
        Role.TRAINER: trainer,
        Role.DIRECTOR: UserFactory(role=Role.DIRECTOR),
        Role.REGION: UserFactory(role=Role.REGION),
        Role.ADMIN: UserFactory(admin=True),
    }
    assert set(users) == set(Role), "a role without its main page in this test"
    assert isinstance(relay, Relay)
    return enrolment, users


def _get(clients: dict, role: str, url: str, statuses: dict) -> None:
    response = clients[role].get(url, follow=True)
    chain = [u for u, _ in response.redirect_chain]
    statuses[(role, " → ".join([url, *chain]))] = response.status_code


def test_pages_answer_while_redis_is_stopped_and_the_agreement_follows_its_return(
    portal_on_private_redis, celery_worker_process, tmp_path, settings
):
    redis = portal_on_private_redis
    with zeal_ignore():
        enrolment, users = _world()
    celery_worker_process.start(
        REDIS_URL=redis.url,
        OUTBOX_RELAY_INTERVAL_SECONDS=1,
        args=("--beat", f"--schedule={tmp_path / 'beat-schedule'}"),
    )

    redis.stop()

    statuses: dict[str, int] = {}
    clients = {}
    for role, user in users.items():
        client = clients[role] = OTPClient(raise_request_exception=False)  # 500s counted
        client.force_login(user)
        _get(clients, role, reverse("core:home"), statuses)
    _get(clients, Role.OWNER, reverse("enrolment:status", args=[enrolment.pk]), statuses)
    for role in (Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION):
        _get(clients, role, reverse("enrolment:staff_detail", args=[enrolment.pk]), statuses)
    for role in (Role.RELAY_STAFF, Role.REGION, Role.DIRECTOR):
        _get(clients, role, reverse("reporting:dashboard"), statuses)
    api_lists = [reverse(f"api:{basename}-list") for _, _, basename in router.registry]
    for url in [*api_lists, reverse("api:dashboard")]:
        for role in (Role.DIRECTOR, Role.OWNER):
            _get(clients, role, url, statuses)

    failed = {url: status for url, status in statuses.items() if status >= 500}
    assert failed == {}, f"pages en erreur quand Redis est arrêté : {failed}"
    assert len(statuses) >= 7 + 1 + 3 + 3 + 2 * (len(api_lists) + 1)

    # Relay staff validate the enrolment while Redis is down: the outbox keeps the message.
    response = clients[Role.RELAY_STAFF].post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "Inscription validée." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.VALIDATED
    message = OutboxMessage.objects.get(kind="enrolment.validated")
    assert message.status == OutboxMessage.Status.PENDING
    # A background export asked for meanwhile: recorded, written once the broker is back.
    settings.ENROLMENT_EXPORT_SYNC_MAX = 0
    response = clients[Role.RELAY_STAFF].get(reverse("enrolment:staff_export"), follow=True)
    assert response.status_code == 200
    job = ExportJob.objects.get(requested_by=users[Role.RELAY_STAFF])
    time.sleep(2)
    assert not Agreement.objects.filter(enrolment=enrolment).exists()

    redis.start()  # back, empty (no persistence): only the outbox remembers the message
    wait_for(
        lambda: Agreement.objects.filter(enrolment=enrolment).exists(),
        timeout=90,
        message="pas de convention après le retour de Redis:\n" + celery_worker_process.logs(),
    )
    assert Agreement.objects.filter(enrolment=enrolment).count() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE
    wait_for(
        # polled with exists(): loading the job at each poll would be an N+1 to django-zeal
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(),
        timeout=60,
        message="export non écrit après le retour de Redis",
    )
