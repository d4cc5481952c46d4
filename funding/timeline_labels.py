"""The words of the ledger's events in a history (core.timeline_text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.timeline_text import register_event_label


def register() -> None:
    register_event_label("period_close", _("Période comptable clôturée"))
