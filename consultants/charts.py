"""Server-rendered SVG charts (no JavaScript) so they also work in PDFs."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pygal
from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pygal.style import Style

from core.charts import accessible_svg, series_desc

from .models import Indicator

#: Drawn at CHART_WIDTH user units and shown at most that wide; at 390 px the figure is about
#: 330 px wide, so 16-unit labels are still drawn at least 12 px high.
CHART_WIDTH = 420
CHART_HEIGHT = 300
LABEL_SIZE = 16
TARGET_COLOUR = "#b3261e"
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#1f5fa8", "#5f6b76", TARGET_COLOUR),
    font_family="system-ui, sans-serif",
    label_font_size=LABEL_SIZE,
    major_label_font_size=LABEL_SIZE,
    legend_font_size=LABEL_SIZE,
    value_font_size=LABEL_SIZE,
    tooltip_font_size=LABEL_SIZE,
    title_font_size=LABEL_SIZE,
    no_data_font_size=LABEL_SIZE,
    stroke_width=2,
    stroke_opacity=1,
)
_CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')


def _emphasise_target(svg: str) -> str:
    """pygal puts every line at the style's width (`#id .reactive`), over a series' own
    stroke style: the target (third series) gets its thick line back with a rule of its id."""
    match = _CHART_ID.search(svg)
    if not match:
        return svg
    rule = f"#{match.group(1)} .series.serie-2 .line{{stroke-width:4}}"
    return svg.replace("</style>", rule + "</style>", 1)


def french_number(value) -> str:
    """An axis value in French: "6,4", "1 200" (never "6.4")."""
    if value is None:
        return "—"
    number = Decimal(str(round(float(value), 2))).normalize()
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    return number_format(number, use_l10n=True, force_grouping=True)


def axis_ticks(values, *, count: int = 5) -> list[float]:
    """A few round ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering the values
    with a margin, so that the axis shows readable labels instead of one every few pixels."""
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    if start >= lo and not (lo >= 0 > start - step):
        start -= step  # a margin: no line drawn on the frame (a target at the bottom)
    ticks = [round(start, 6)]
    while ticks[-1] <= hi:  # a margin at the top too
        ticks.append(round(ticks[-1] + step, 6))
    return ticks


def indicator_chart_svg(indicator: Indicator) -> SafeString:
    """Measurements against the baseline and the target (uses prefetched measurements).

    The target is a thick dashed line of its own colour, named with its value in the legend;
    axis values are French decimals."""
    measurements = list(indicator.measurements.all())
    with translation.override("fr"):
        chart = pygal.Line(
            js=[],
            style=STYLE,
            height=CHART_HEIGHT,
            width=CHART_WIDTH,
            show_legend=True,
            legend_at_bottom=True,
            legend_at_bottom_columns=1,
            disable_xml_declaration=True,
            explicit_size=False,
            x_label_rotation=0,
            dots_size=4,
            value_formatter=french_number,
            show_minor_x_labels=False,
            x_labels_major_count=3,
            truncate_label=-1,
            truncate_legend=-1,
            margin=8,
            margin_right=48,  # room for half of the last date under the axis
        )
        labels = [_("Départ")] + [m.date.strftime("%d/%m/%Y") for m in measurements]
        chart.x_labels = labels
        n = len(labels)
        values = [float(indicator.baseline)] + [float(m.value) for m in measurements]
        unit = f" {indicator.unit}" if indicator.unit else ""
        chart.y_labels = axis_ticks([*values, float(indicator.baseline), float(indicator.target)])
        chart.add(_("Mesures"), values)
        chart.add(
            _("Départ : %(v)s%(unit)s") % {"v": french_number(indicator.baseline), "unit": unit},
            [float(indicator.baseline)] * n,
            show_dots=False,
            stroke_style={"width": 2, "dasharray": "3,5"},
        )
        chart.add(
            _("Cible : %(v)s%(unit)s") % {"v": french_number(indicator.target), "unit": unit},
            [float(indicator.target)] * n,
            show_dots=False,
            stroke_style={"width": 4, "dasharray": "12,6"},
        )
        svg = _emphasise_target(chart.render(is_unicode=True))
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
