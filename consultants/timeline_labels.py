"""The words of the mission's events in the enrolment's history (core.timeline_text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.timeline_text import register_event_labels


def register() -> None:
    register_event_labels(
        {
            "consultant_proposed": _("Consultant proposé"),
            "consultant_accepted": _("Mission acceptée par le consultant"),
            "consultant_declined": _("Mission refusée par le consultant"),
            "amendment": _("Avenant : demi-journées supplémentaires"),
            "training.enrolled": _("Pilotes inscrits à la formation qualifiante"),
            "training.assessed": _("Formation qualifiante évaluée"),
        }
    )
