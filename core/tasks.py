"""Celery tasks of the shared mechanisms (thin: they call services).

The outbox (`outbox_process`, `outbox_relay`), the hourly reminder sweep and the weekly
digest, and the nightly personal-data retention sweep.
"""

from datetime import date

from celery import shared_task
from celery.signals import worker_process_init
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from .outbox import is_transient, outbox_mark_failed, outbox_process_message, outbox_relay_sweep
from .pdf import pdf_warm_up
from .personal_data import retention_sweep
from .reminders import reminders_send_batch as send_batch
from .reminders import reminders_send_digests, reminders_sweep_dispatch


@worker_process_init.connect
def _pdf_fonts_per_process(**kwargs) -> None:
    """One FontConfiguration per worker process, built when the process starts."""
    pdf_warm_up()


#: A task acknowledged once done and sent again when its worker process dies. Celery 5.7: a
#: process killed under the task re-sends it like retry() would, so max_retries bounds the
#: redeliveries (no endless requeue loop).
REDELIVERED_ON_WORKER_LOSS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_on_worker_lost": True,
    "max_retries": 5,
}


@shared_task(**REDELIVERED_ON_WORKER_LOSS, default_retry_delay=10)
def outbox_process(self, message_id: int) -> None:
    """Run one outbox message's handlers; transient errors retry with backoff and jitter."""
    try:
        outbox_process_message(message_id)
    except Exception as exc:
        if is_transient(exc) and self.request.retries < self.max_retries:
            countdown = get_exponential_backoff_interval(
                factor=settings.OUTBOX_RETRY_BACKOFF,
                retries=self.request.retries,
                maximum=settings.OUTBOX_RETRY_BACKOFF_MAX,
                full_jitter=True,
            )
            raise self.retry(exc=exc, countdown=max(countdown, 1))
        # Permanent error, or the last retry failed: visible to staff, who can retry it.
        outbox_mark_failed(message_id=message_id, error=exc)


@shared_task
def outbox_relay() -> int:
    """Periodic sweep: re-enqueue messages whose immediate nudge was lost."""
    return outbox_relay_sweep()


@shared_task(acks_late=True)
def reminders_sweep() -> int:
    """Periodic sweep: claim the reminders that are due (each once, a unique row decides)
    and hand them to `reminders_send_batch` by batches, which the workers share."""
    return reminders_sweep_dispatch()


@shared_task(**REDELIVERED_ON_WORKER_LOSS, default_retry_delay=30)
def reminders_send_batch(self, rule_code: str, today: str, ids: list[int]) -> int:
    """Send one batch of claimed reminders (each at most once; running it again sends
    nothing more). A failure (SMTP server, database) retries; after the last, a later sweep
    dispatches what is still unsent."""
    try:
        return send_batch(rule_code=rule_code, today=date.fromisoformat(today), ids=ids)
    except Exception as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc)
        raise


@shared_task(acks_late=True)
def personal_data_retention_sweep() -> int:
    """Daily: anonymise the persons whose data passed the retention period (RGPD)."""
    return retention_sweep()


@shared_task(acks_late=True)
def reminders_weekly_digest() -> int:
    return reminders_send_digests()
