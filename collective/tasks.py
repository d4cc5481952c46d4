"""Periodic work of the collective action (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from .followups import followups_send_due as send


@shared_task
def followups_send_due() -> int:
    """E-mail the signed links of the follow-ups that fell due (safe to run twice)."""
    return send()
