"""Events through an outbox: written with the change, handled after commit.

`outbox_publish()` writes an `OutboxMessage` in the caller's transaction and
runs the database-only handlers registered with `sync=True` at once (ledger
postings), so a page shows the result immediately. Handlers with side effects
run from the Celery task `core.tasks.outbox_process`, enqueued after commit
and re-enqueued by the periodic `outbox_relay` if the broker was down.
Handlers must be idempotent on the message key.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_sync_handlers: dict[str, list[Handler]] = defaultdict(list)
_async_handlers: dict[str, list[Handler]] = defaultdict(list)


def register_handler(kind: str, handler: Handler, *, sync: bool = False) -> None:
    """Register a handler for an event kind (call from an AppConfig.ready())."""
    registry = _sync_handlers if sync else _async_handlers
    if handler not in registry[kind]:
        registry[kind].append(handler)


def outbox_publish(*, kind: str, key: str, payload: dict) -> OutboxMessage:
    """Record an event once (by key) and schedule its side effects after commit."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(kind=kind, key=key, payload=payload)
        except IntegrityError:
            return OutboxMessage.objects.get(key=key)
        for handler in _sync_handlers.get(kind, []):
            handler(message)
        if not _async_handlers.get(kind):
            message.status = OutboxMessage.Status.DONE
            message.processed_at = timezone.now()
            message.save(update_fields=["status", "processed_at"])
        else:
            transaction.on_commit(lambda: enqueue(message.pk))
    return message


def enqueue(message_id: int) -> bool:
    """Ask a worker to process a message; False (and nothing lost) if the broker is down."""
    from .tasks import outbox_process

    try:
        outbox_process.apply_async(args=[message_id], retry=False)
    except Exception as exc:  # broker unreachable: the relay sweep will send it later
        logger.warning("Broker unavailable, outbox message %s stays pending: %s", message_id, exc)
        return False
    return True


def outbox_process_message(message_id: int) -> None:
    """Run the async handlers of one pending message, at most once to completion."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return
        message.attempts += 1
        try:
            with transaction.atomic():
                for handler in _async_handlers.get(message.kind, []):
                    handler(message)
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"
            message.save(update_fields=["attempts", "last_error"])
            raise
        message.status = OutboxMessage.Status.DONE
        message.processed_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "processed_at", "last_error"])


def outbox_pending(older_than: timedelta = timedelta(seconds=20)):
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, created_at__lte=timezone.now() - older_than
    ).values_list("pk", flat=True)
