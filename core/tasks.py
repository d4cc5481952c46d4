from celery import shared_task

from .outbox import enqueue, outbox_pending, outbox_process_message


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
)
def outbox_process(message_id: int) -> None:
    outbox_process_message(message_id)


@shared_task
def outbox_relay() -> int:
    """Periodic sweep: re-enqueue messages whose immediate nudge was lost."""
    sent = 0
    for message_id in outbox_pending():
        if not enqueue(message_id):
            break
        sent += 1
    return sent
