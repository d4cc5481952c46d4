"""Server-rendered SVG charts (no JavaScript) so they also work in PDFs."""

from __future__ import annotations

import pygal
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pygal.style import Style

from core.charts import accessible_svg, series_desc

from .models import Indicator

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#1f5fa8", "#9aa5b1", "#2e8b57"),
    font_family="system-ui, sans-serif",
)


def indicator_chart_svg(indicator: Indicator) -> SafeString:
    """Measurements against the baseline and the target (uses prefetched measurements)."""
    measurements = list(indicator.measurements.all())
    chart = pygal.Line(
        js=[],
        style=STYLE,
        height=260,
        width=640,
        show_legend=True,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        explicit_size=False,
        title=f"{indicator.name} ({indicator.unit})",
        x_label_rotation=0,
        dots_size=4,
    )
    labels = [_("Départ")] + [m.date.strftime("%d/%m/%Y") for m in measurements]
    chart.x_labels = labels
    n = len(labels)
    values = [float(indicator.baseline)] + [float(m.value) for m in measurements]
    chart.add(_("Mesures"), values)
    chart.add(
        _("Valeur de départ"),
        [float(indicator.baseline)] * n,
        show_dots=False,
        stroke_style={"dasharray": "4,4"},
    )
    chart.add(
        _("Cible"),
        [float(indicator.target)] * n,
        show_dots=False,
        stroke_style={"dasharray": "8,4"},
    )
    svg = chart.render(is_unicode=True)
    desc = (
        series_desc([(_("Mesures"), values)], labels)
        + " ; "
        + series_desc(
            [(_("Valeur de départ"), [indicator.baseline]), (_("Cible"), [indicator.target])], [""]
        )
    )
    return accessible_svg(svg, title=f"{indicator.name} ({indicator.unit})", desc=desc)


def indicator_progress(indicator: Indicator) -> int | None:
    """Share of the way from baseline to target reached by the latest measurement (%)."""
    measurements = list(indicator.measurements.all())
    if not measurements or indicator.target == indicator.baseline:
        return None
    latest = measurements[-1].value
    share = (latest - indicator.baseline) / (indicator.target - indicator.baseline)
    return round(float(share) * 100)
