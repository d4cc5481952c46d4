"""The closing report of an enrolment's mission (PDF).

The report renders the company, offer, mission dates, consultant and timeline of the
journey, and the named blocks of templates/pdf/closing_report.html (`diagnosis`,
`indicators`, `half_days`) from `CLOSING_REPORT_SECTIONS`: callables (enrolment) -> dict
merged into the template context — the diagnosis before/after (below) and the mission's
indicators and half-days (`consultants.closing_report`, a layer below) — and the `deminimis`
block: the aid granted at signature and the final aid equivalent (lowered after an early exit by
the early-exit rule of `catalogue.pricing`, the one the ledger posts).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.deminimis import regulation_on
from catalogue.pricing import final_aid_equivalent, tariff_aid_equivalent
from catalogue.selectors import deminimis_regulations
from consultants.closing_report import mission_report_section
from consultants.models import HalfDay
from core.pdf import render_pdf
from core.services import timeline_for
from diagnostics.charts import profile_radar
from diagnostics.models import Diagnosis
from diagnostics.selectors import diagnosis_profile
from diagnostics.services import scores_as_decimal
from enrolment.models import Enrolment, EnrolmentState


def diagnosis_before_after(enrolment: Enrolment) -> tuple:
    """(the enrolment's diagnosis, the closing diagnosis): either may be None.

    Before: the latest submitted diagnosis attached to the enrolment, else the company's
    first one submitted. After: the company's latest submitted closing diagnosis taken
    after the "before" one.
    """
    submitted = Diagnosis.objects.submitted().filter(company_id=enrolment.company_id)
    before = (
        submitted.filter(enrolment_id=enrolment.pk).order_by("-submitted_at", "-pk").first()
        or submitted.order_by("submitted_at", "pk").first()
    )
    closing = submitted.filter(purpose=Diagnosis.Purpose.CLOSING)
    if before is not None:
        closing = closing.filter(submitted_at__gt=before.submitted_at)
    after = closing.order_by("-submitted_at", "-pk").first()
    return before, after


def diagnosis_section(enrolment: Enrolment) -> dict:
    """Scores per theme at enrolment vs at closing, with the diagnosis' own radar chart."""
    before, after = diagnosis_before_after(enrolment)
    if before is None and after is None:
        return {}
    if after is not None:
        profile = diagnosis_profile(diagnosis=after, previous=before)
        rows = [
            {"name": r["name"], "before": r["previous"], "after": r["score"], "delta": r["delta"]}
            for r in profile.rows
        ]
    else:
        profile = diagnosis_profile(diagnosis=before)
        rows = [
            {"name": r["name"], "before": r["score"], "after": None, "delta": None}
            for r in profile.rows
        ]
    if after is not None:  # the report's own legend: at enrolment / at closing
        svg = profile_radar(
            themes=[(r["code"], r["name"]) for r in profile.rows],
            scores=scores_as_decimal(after),
            previous=scores_as_decimal(before) if before else None,
            previous_label=_("À l'inscription"),
            current_label=_("À la clôture"),
        )
    else:
        svg = profile.svg
    return {
        "diagnosis_before": before,
        "diagnosis_after": after,
        "diagnosis_rows": rows,
        "diagnosis_chart_svg": svg,
    }


def is_early_exit(enrolment: Enrolment) -> bool:
    """Withdrawn after the agreement was signed (the aid had been granted)."""
    return enrolment.state == EnrolmentState.WITHDRAWN and enrolment.signed_at is not None


def enrolment_final_aid_equivalent(
    enrolment: Enrolment, *, delivered_half_days: int | None = None
) -> Decimal | None:
    """The de minimis aid the company finally received from this enrolment: the offer's aid
    equivalent, lowered on an early exit by the ledger's early-exit rule
    (`catalogue.pricing.final_aid_equivalent`). `delivered_half_days` saves the count when
    many enrolments are read at once (the register). None without an offer."""
    if enrolment.tariff_id is None:
        return None
    early_exit = is_early_exit(enrolment)
    if early_exit and delivered_half_days is None:
        delivered_half_days = HalfDay.objects.filter(mission__enrolment=enrolment).count()
    return final_aid_equivalent(
        tariff=enrolment.tariff, early_exit=early_exit, delivered_half_days=delivered_half_days or 0
    )


def deminimis_section(enrolment: Enrolment) -> dict:
    """The de minimis aid: the regulation in force on the signature date, the aid equivalent
    granted then, and the final one (lower after an early exit)."""
    if enrolment.tariff_id is None or enrolment.signed_at is None:
        return {}
    granted_on = timezone.localdate(enrolment.signed_at)
    regulation = regulation_on(deminimis_regulations(), granted_on)
    if regulation is None:  # granted before the first de minimis regulation (2007)
        return {}
    return {
        "deminimis": {
            "regulation": regulation.name,
            "granted_on": granted_on,
            "granted": tariff_aid_equivalent(tariff=enrolment.tariff),
            "final": enrolment_final_aid_equivalent(enrolment),
            "early_exit": is_early_exit(enrolment),
        }
    }


#: The report's sections: each returns extra context (charts as SVG) for one enrolment.
CLOSING_REPORT_SECTIONS: list[Callable[[Enrolment], dict]] = [
    diagnosis_section,
    mission_report_section,
    deminimis_section,
]


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
