"""The mission's part of the closing report (agreements/closing_report.py, the layer above):
indicators with their charts and the half-days delivered."""

from __future__ import annotations

from django.db.models import Prefetch

from enrolment.models import Enrolment

from .charts import indicator_chart_svg, indicator_progress
from .models import Amendment, HalfDay, Indicator, Measurement


def mission_report_section(enrolment: Enrolment) -> dict:
    """Indicators (baseline, target, latest measurement, SVG chart) and half-days (count vs
    allowed, list with dates and subjects): a fixed number of queries."""
    mission = getattr(enrolment, "mission", None)
    if mission is None:
        return {}
    indicators = list(
        Indicator.objects.filter(plan__mission=mission)
        .select_related("plan")
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
        )
        .order_by("plan__created_at", "plan_id", "pk")
    )
    rows = []
    for indicator in indicators:
        measurements = list(indicator.measurements.all())
        latest = measurements[-1] if measurements else None
        rows.append(
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "plan": indicator.plan.title,
                "baseline": indicator.baseline,
                "target": indicator.target,
                "last": latest.value if latest else None,
                "last_date": latest.date if latest else None,
                "progress": indicator_progress(indicator),
                "chart": indicator_chart_svg(indicator),
            }
        )
    half_days = list(HalfDay.objects.filter(mission=mission).order_by("date", "pk"))
    tariff = enrolment.tariff
    extra = sum(a.extra_half_days for a in Amendment.objects.filter(mission=mission))
    return {
        "indicators": rows,
        "indicator_charts": [row["chart"] for row in rows],
        "half_days": half_days,
        "half_days_allowed": ((tariff.half_days or 0) if tariff else 0) + extra,
    }
