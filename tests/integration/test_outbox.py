"""The outbox: transient errors retried with backoff, then FAILED, visible to staff, retried."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError
from django.urls import reverse

from core import outbox
from core.models import OutboxMessage, ReminderPreference
from core.outbox import outbox_process_message, outbox_publish
from core.tasks import outbox_process
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CALLS: dict[str, int] = {}


@pytest.fixture
def handlers():
    registered = []

    def register(kind, fn):
        outbox.register_handler(kind, fn)
        registered.append((kind, fn))

    yield register
    for kind, fn in registered:
        outbox._async_handlers[kind].remove(fn)


def test_transient_error_is_retried_then_failed_after_the_last_retry(handlers):
    def flaky(message):
        raise OperationalError("connexion perdue")

    handlers("test.flaky", flaky)
    message = outbox_publish(kind="test.flaky", key="flaky:1", payload={})
    outbox_process.apply(args=[message.pk])  # runs here; each retry runs at once
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == outbox_process.max_retries + 1
    assert "connexion perdue" in message.last_error


def test_permanent_error_fails_at_once(handlers):
    def broken(message):
        raise ValueError("données incohérentes")

    handlers("test.broken", broken)
    message = outbox_publish(kind="test.broken", key="broken:1", payload={})
    outbox_process.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 1


def test_staff_see_failures_and_retry_them_from_the_portal(client, handlers):
    state = {"fail": True}

    def sometimes(message):
        if state["fail"]:
            raise ValueError("service indisponible")

    handlers("test.sometimes", sometimes)
    message = outbox_publish(kind="test.sometimes", key="sometimes:1", payload={})
    outbox_process.apply(args=[message.pk])
    director = UserFactory(director=True)
    client.force_login(director)
    page = client.get(reverse("core:outbox_failures")).content.decode()
    assert "sometimes:1" in page and "service indisponible" in page
    state["fail"] = False
    response = client.post(reverse("core:outbox_retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 0
    outbox_process_message(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE
    client.force_login(UserFactory())  # an owner
    assert client.get(reverse("core:outbox_failures")).status_code == 403
    assert client.post(reverse("core:outbox_retry", args=[message.pk])).status_code == 403


def test_a_message_that_keeps_killing_workers_stops_after_max_attempts(handlers, settings):
    handlers("test.poison", lambda m: None)
    message = outbox_publish(kind="test.poison", key="poison:1", payload={})
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)
    outbox_process_message(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED


def test_admin_outbox_page_lists_emails_written_by_the_file_backend(client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    connection = get_connection()
    EmailMessage(
        "Relance de test", "Corps du message", to=["a@example.test"], connection=connection
    ).send()
    admin = UserFactory(admin=True)
    client.force_login(admin)
    page = client.get(reverse("core:mailbox")).content.decode()
    assert "Relance de test" in page and "a@example.test" in page
    name = next((tmp_path / "mail").glob("*.log")).name
    detail = client.get(reverse("core:mailbox_detail", args=[name])).content.decode()
    assert "Corps du message" in detail
    assert client.get(reverse("core:mailbox_detail", args=["..%2Fetc"])).status_code == 404
    client.force_login(UserFactory(director=True))
    assert client.get(reverse("core:mailbox")).status_code == 403


def test_profile_turns_an_optional_reminder_off_and_chooses_the_digest(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("core:reminder_preferences")).content.decode()
    assert "Autodiagnostic non terminé" in page
    assert "Convention non signée" not in page  # mandatory: not offered
    assert "Séminaire collectif dans 3 jours" in page
    assert "Demi-journées en retard" in page
    assert "Paiement en retard" not in page  # mandatory: not offered
    response = client.post(
        reverse("core:reminder_preferences"), {"rule_mission_ending": "on", "weekly_digest": "on"}
    )
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(user=user)
    # every optional rule left unticked is turned off
    assert pref.disabled_rules == ["diagnosis_draft", "halfdays_behind", "seminar_soon"]
    assert pref.weekly_digest is True
