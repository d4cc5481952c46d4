"""The outbox: an event is recorded once by key; database handlers run in the transaction."""

import pytest

from core.models import OutboxMessage
from core.outbox import _sync_handlers, outbox_publish, register_handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    seen = []

    def handler(message):
        seen.append(message.key)

    register_handler("test.event", handler, sync=True)
    yield seen
    _sync_handlers["test.event"].remove(handler)


def test_publishing_twice_records_and_handles_once(recorder):
    outbox_publish(kind="test.event", key="k:1", payload={"n": 1})
    outbox_publish(kind="test.event", key="k:1", payload={"n": 1})
    assert OutboxMessage.objects.filter(key="k:1").count() == 1
    assert recorder == ["k:1"]


def test_message_without_side_effects_is_done_at_once(recorder):
    message = outbox_publish(kind="test.event", key="k:2", payload={})
    assert message.status == OutboxMessage.Status.DONE
