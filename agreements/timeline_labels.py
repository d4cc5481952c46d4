"""The words of the agreement's events in the enrolment's history (core.timeline_text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.timeline_text import data_detail, register_event_label


def register() -> None:
    register_event_label(
        "agreement_issued",
        data_detail(_("Convention émise (version %(version)s)"), "version"),
        detail="",
    )
