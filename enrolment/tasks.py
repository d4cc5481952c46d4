"""Periodic jobs of the enrolment app."""

from celery import shared_task


@shared_task
def followups_send_due() -> int:
    """E-mail the signed links of the follow-ups that fell due (safe to run twice)."""
    from .followups import followups_send_due as send

    return send()
