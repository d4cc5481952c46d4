"""The profile chart: a radar drawn as SVG on the server (no JavaScript), readable in a PDF.

Drawn here rather than with pygal, whose radar writes its theme names rotated along the circle
and truncated at 25 characters ("Maintenance des équipeme…"): here every theme name is written
horizontally, whole, wrapped on two lines if needed, at 15 units in a 640-unit-wide drawing
(at least 12 px on screen from 512 px wide; below that the results page shows bars instead).
Colours are presentation attributes, not `style` (the Content Security Policy forbids those).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.charts import accessible_svg

WIDTH, HEIGHT = 640, 440  # + LEGEND_HEIGHT when an earlier diagnosis is drawn
LEGEND_HEIGHT = 40
CENTER_X, CENTER_Y = WIDTH / 2, 218
RADIUS = 160
LABEL_SIZE = 15  # theme names
SMALL_SIZE = 13  # grid percentages, legend
LINE = 18  # line height of a wrapped theme name
WRAP = 16  # characters per line of a theme name
CURRENT = "#0b5394"
PREVIOUS = "#b45f06"
GRID = "#b8c2cc"
INK = "#1d2630"
FONT = "Inter, 'DejaVu Sans', Arial, sans-serif"


def percent_text(value: Decimal | None) -> str:
    """54.5 → '54,5 %', 20.0 → '20 %' (French decimal comma, in the active language)."""
    if value is None:
        return "—"
    value = Decimal(value)
    decimals = 0 if value == value.to_integral_value() else 1
    return f"{number_format(value, decimal_pos=decimals)}\u00a0%"


def _point(fraction: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (
        CENTER_X + RADIUS * fraction * math.cos(angle),
        CENTER_Y + RADIUS * fraction * math.sin(angle),
    )


def _polygon(values: Sequence[float], **attrs) -> str:
    count = len(values)
    points = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in (_point(max(0.0, min(v, 100.0)) / 100, i, count) for i, v in enumerate(values))
    )
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<polygon points="{points}" {extra}/>'


def _label(name: str, index: int, count: int) -> str:
    """A theme's name outside the circle, horizontal, anchored away from the centre."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    x = CENTER_X + (RADIUS + 14) * math.cos(angle)
    y = CENTER_Y + (RADIUS + 14) * math.sin(angle)
    cos = math.cos(angle)
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    lines = textwrap.wrap(name, WRAP) or [name]
    sin = math.sin(angle)
    if sin < -0.5:  # above the circle: the last line sits on the point
        first_y = y - (len(lines) - 1) * LINE
    elif sin > 0.5:  # below: the first line hangs under the point
        first_y = y + LABEL_SIZE
    else:  # on the sides: centred on the point
        first_y = y + LABEL_SIZE / 3 - (len(lines) - 1) * LINE / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first_y + i * LINE:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{LABEL_SIZE}" fill="{INK}">{spans}</text>'


def profile_radar(
    *,
    themes: Sequence[tuple[str, str]],
    scores: Mapping[str, Decimal],
    previous: Mapping[str, Decimal] | None = None,
    title: str = "",
    previous_label: str | None = None,
    current_label: str | None = None,
) -> SafeString:
    """A radar of the maturity per theme (0-100 %), with an earlier diagnosis if given."""
    count = max(len(themes), 3)
    height = HEIGHT + (LEGEND_HEIGHT if previous is not None else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{FONT}" class="radar">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    # the web: 25, 50, 75 and 100 %, and the spokes
    for level in (25, 50, 75, 100):
        parts.append(_polygon([level] * count, fill="none", stroke=GRID, stroke_width="1"))
    for i in range(count):
        x, y = _point(1, i, count)
        parts.append(
            f'<line x1="{CENTER_X:.1f}" y1="{CENTER_Y:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
    codes = [code for code, _name in themes]
    if previous is not None:
        parts.append(
            _polygon(
                [float(previous.get(c, 0)) for c in codes],
                fill="none",
                stroke=PREVIOUS,
                stroke_width="2.5",
                stroke_dasharray="7 5",
            )
        )
    current = [float(scores.get(c, 0)) for c in codes]
    parts.append(
        _polygon(current, fill=CURRENT, fill_opacity="0.18", stroke=CURRENT, stroke_width="3")
    )
    for i, value in enumerate(current):
        x, y = _point(max(0.0, min(value, 100.0)) / 100, i, len(current))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{CURRENT}"/>')
    for level in (25, 50, 75, 100):  # over the series, with a white halo to stay readable
        parts.append(
            f'<text x="{CENTER_X + 6:.1f}" y="{CENTER_Y - RADIUS * level / 100 + 14:.1f}" '
            f'font-size="{SMALL_SIZE}" fill="#48535c" stroke="#ffffff" stroke-width="4" '
            f'paint-order="stroke">{level}\u00a0%</text>'
        )
    for i, (_code, name) in enumerate(themes):
        parts.append(_label(name, i, len(themes)))
    if previous is not None:  # the legend, under the chart
        y = height - 14
        legend = [
            (PREVIOUS, previous_label or _("Autodiagnostic précédent"), ' stroke-dasharray="7 5"'),
            (CURRENT, current_label or _("Aujourd'hui"), ""),
        ]
        x = 24
        for colour, text, dash in legend:
            parts.append(
                f'<line x1="{x}" y1="{y - 5}" x2="{x + 30}" y2="{y - 5}" stroke="{colour}" '
                f'stroke-width="3"{dash}/>'
                f'<text x="{x + 38}" y="{y}" font-size="{SMALL_SIZE}" fill="{INK}">'
                f"{escape(text)}</text>"
            )
            x += 38 + int(len(str(text)) * SMALL_SIZE * 0.58) + 28
    parts.append("</svg>")
    before = _("avant")
    desc = " ; ".join(
        f"{name} : {percent_text(scores.get(code))}"
        + (f" ({before} : {percent_text(previous.get(code))})" if previous is not None else "")
        for code, name in themes
    )
    return accessible_svg(
        "".join(parts), title=title or _("Profil de maturité par thème (0 à 100 %)"), desc=desc
    )
