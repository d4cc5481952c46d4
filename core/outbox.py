"""Events through an outbox: written with the change, handled after commit.

`outbox_publish()` writes an `OutboxMessage` in the caller's transaction and
runs the database-only handlers registered with `sync=True` at once (ledger
postings), so a page shows the result immediately. Handlers with side effects
run from the Celery task `core.tasks.outbox_process`, enqueued after commit
and re-enqueued by the periodic `outbox_relay` if the broker was down.
Handlers must be idempotent on the message key.

The task is handed to this module by `CoreConfig.ready()` (`register_dispatcher`): the tasks
import this module, never the other way round.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .exceptions import BusinessRuleError
from .models import OutboxMessage
from .services import timeline_record

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


_dispatch: Callable[[int], object] | None = None


def register_dispatcher(dispatch: Callable[[int], object]) -> None:
    """How a message reaches a worker (`core.tasks.outbox_process`, from CoreConfig.ready())."""
    global _dispatch
    _dispatch = dispatch


def enqueue(message_id: int) -> bool:
    """Ask a worker to process a message; False (and nothing lost) if the broker is down."""
    if _dispatch is None:  # pragma: no cover - registered when the apps are ready
        logger.warning("No outbox dispatcher, outbox message %s stays pending", message_id)
        return False
    try:
        _dispatch(message_id)
    except Exception as exc:  # broker unreachable: the relay sweep will send it later
        logger.warning("Broker unavailable, outbox message %s stays pending: %s", message_id, exc)
        return False
    return True


class PermanentError(Exception):
    """A handler error that retrying cannot cure (bad data): the message fails at once."""


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying: the database, the broker or the network hiccuped."""
    errors: list[type[BaseException]] = [
        OperationalError,
        InterfaceError,
        KombuOperationalError,
        ConnectionError,
        TimeoutError,
        RedisConnectionError,
        RedisTimeoutError,
    ]
    return tuple(errors)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, _transient_errors()) and not isinstance(exc, PermanentError)


def outbox_process_message(message_id: int) -> None:
    """Run the async handlers of one pending message, at most once to completion.

    The attempt is counted in its own committed transaction first, so a worker
    killed mid-handler still leaves a trace and a poison message stops after
    `OUTBOX_MAX_ATTEMPTS` deliveries (by Celery, the relay sweep or both).
    The handlers then run in one transaction with the message row locked: two
    workers delivered the same message never run them concurrently.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            message.last_error = (
                message.last_error
                or "Nombre maximal de tentatives atteint (travailleur interrompu à chaque fois ?)."
            )
            message.save(update_fields=["status", "last_error"])
            logger.error("Outbox message %s failed: too many attempts", message_id)
            return
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        message.save(update_fields=["attempts", "last_attempt_at"])
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
                .first()
            )
            if message is None:
                return
            for handler in _async_handlers.get(message.kind, []):
                handler(message)
            message.status = OutboxMessage.Status.DONE
            message.processed_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["status", "processed_at", "last_error"])
    except Exception as exc:
        OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise


def outbox_mark_failed(*, message_id: int, error: BaseException | str) -> None:
    """The last retry failed (or the error is permanent): staff see it and may retry it."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.FAILED, last_error=text[:2000]
    )
    logger.error("Outbox message %s failed: %s", message_id, text)


def outbox_retry(*, message: OutboxMessage, by=None) -> OutboxMessage:
    """Staff put a failed message back in the queue (from the portal)."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutboxMessage.Status.FAILED:
            raise BusinessRuleError(_("Seul un message en échec peut être relancé."))
        locked.status = OutboxMessage.Status.PENDING
        locked.attempts = 0
        locked.save(update_fields=["status", "attempts"])
        timeline_record(
            subject=locked,
            verb="outbox_retry",
            actor=by,
            message=_("Message relancé depuis le portail."),
            internal=True,
            data={"last_error": locked.last_error},
        )
        transaction.on_commit(lambda: enqueue(locked.pk))
    return locked


def outbox_pending(older_than: timedelta | None = None, retry_after: timedelta | None = None):
    """Pending messages the relay sweep should (re)send.

    Those never tried, older than `older_than` (their after-commit nudge was
    lost), and those whose last attempt is older than `retry_after` (the worker
    died with the message: Redis would only redeliver it after its visibility
    timeout).
    """
    now = timezone.now()
    older_than = (
        timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS) if older_than is None else older_than
    )
    retry_after = (
        timedelta(seconds=settings.OUTBOX_RELAY_RETRY_AFTER_SECONDS)
        if retry_after is None
        else retry_after
    )
    return (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, created_at__lte=now - older_than
        )
        .filter(
            models.Q(last_attempt_at__isnull=True)
            | models.Q(last_attempt_at__lte=now - retry_after)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def outbox_relay_sweep(
    *, older_than: timedelta | None = None, retry_after: timedelta | None = None
) -> int:
    """Re-enqueue what is pending; stops at the first broker failure (it will come back)."""
    sent = 0
    for message_id in outbox_pending(older_than, retry_after)[: settings.OUTBOX_RELAY_BATCH]:
        if not enqueue(message_id):
            break
        sent += 1
    return sent
