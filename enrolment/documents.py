"""Other PDF documents of an enrolment: the closing report of its mission.

The report renders what exists today (company, offer, mission dates, consultant,
timeline of the journey) and leaves named blocks in templates/pdf/closing_report.html
(`diagnosis`, `indicators`, `half_days`) that the diagnosis and mission branches
fill through `CLOSING_REPORT_SECTIONS`: callables (enrolment) -> dict merged into
the template context.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from core.pdf import render_pdf
from core.services import timeline_for

from .models import Enrolment

#: Extension point: other apps append callables returning extra context (charts as SVG).
CLOSING_REPORT_SECTIONS: list[Callable[[Enrolment], dict]] = []


def closing_report_context(*, enrolment: Enrolment) -> dict:
    enrolment = (
        Enrolment.objects.select_related(
            "company__relay", "company__owner", "offer", "tariff", "mission__consultant__user"
        )
        .prefetch_related("pilots")
        .get(pk=enrolment.pk)
    )
    mission = enrolment.mission
    context = {
        "enrolment": enrolment,
        "company": enrolment.company,
        "mission": mission,
        "consultant": mission.consultant,
        "pilots": list(enrolment.pilots.all()),
        "events": list(timeline_for(enrolment, include_internal=False)),
        "issued_on": timezone.localdate(),
        "reference": f"PME-{enrolment.pk:06d}",
    }
    for section in CLOSING_REPORT_SECTIONS:
        context.update(section(enrolment))
    return context


def closing_report_render(*, enrolment: Enrolment) -> bytes:
    return render_pdf(
        template="pdf/closing_report.html", context=closing_report_context(enrolment=enrolment)
    )
