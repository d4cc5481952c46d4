"""A large export really runs in a Celery worker over Redis, and reports its progress."""

import pytest
from django.urls import reverse
from zeal import zeal_ignore

from enrolment.models import ExportJob
from tests.enrolment.helpers import staff
from tests.factories import EnrolmentFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery_worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from performance_pme.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_background_export_through_a_real_worker(client, settings, celery_worker):
    import time

    settings.ENROLMENT_EXPORT_SYNC_MAX = 3
    with zeal_ignore():
        EnrolmentFactory.create_batch(6)
        user = staff()
    client.force_login(user)
    response = client.get(reverse("enrolment:staff_export"))
    job = ExportJob.objects.get(requested_by=user)
    assert response.url == reverse("enrolment:export_status", args=[job.pk])
    progress_url = reverse("enrolment:export_progress", args=[job.pk])
    deadline = time.monotonic() + 20
    state = client.get(progress_url).json()
    while state["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        state = client.get(progress_url).json()
    assert state["status"] == "done" and state["total"] == 6
    content = b"".join(client.get(state["download_url"]).streaming_content)
    assert len(content.decode("utf-8-sig").strip().splitlines()) == 7
