"""The bench's e-mail backend: each message is built as SMTP would send it, then dropped.

Django's locmem backend keeps every message in `mail.outbox`: thousands of reminders at
national scale would measure the outbox's memory, not the sweep's.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class DiscardingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message().as_bytes()  # the MIME serialisation an SMTP backend performs
        return len(email_messages)
