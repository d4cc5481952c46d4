"""The profile chart: server-rendered SVG (pygal without JavaScript), readable in a PDF."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pygal
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pygal.style import Style

from core.charts import accessible_svg

_SCRIPT = re.compile(r"<script.*?</script>", re.S)

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#888",
    colors=("#0b5394", "#e69138"),
    font_family="Inter, DejaVu Sans, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
)


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
    chart = pygal.Radar(
        style=STYLE,
        js=[],
        fill=False,
        range=(0, 100),
        width=640,
        height=480,
        show_legend=previous is not None,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        explicit_size=False,
        title=title or None,
    )
    chart.x_labels = [name for _code, name in themes]
    chart.y_labels = [0, 25, 50, 75, 100]
    if previous is not None:
        chart.add(
            previous_label or _("Autodiagnostic précédent"),
            [float(previous.get(code, 0)) for code, _n in themes],
        )
    chart.add(
        current_label or _("Aujourd'hui"), [float(scores.get(code, 0)) for code, _n in themes]
    )
    # pygal still writes a small config <script> even with js=[]: a static chart needs none
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    before = _("avant")
    desc = " ; ".join(
        f"{name} : {_pct(scores.get(code))}"
        + (f" ({before} : {_pct(previous.get(code))})" if previous is not None else "")
        for code, name in themes
    )
    return accessible_svg(
        svg, title=title or _("Profil de maturité par thème (0 à 100 %)"), desc=desc
    )


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.0f} %"
