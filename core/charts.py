"""Server-rendered SVG charts as accessible images (RGAA 1.1 and 1.3, WCAG 1.1.1).

pygal writes a bare ``<svg>`` whose axis labels and tooltips a screen reader would read one
by one. ``accessible_svg`` makes it one image: ``role="img"``, its name in a first ``<title>``
and, in a ``<desc>``, the figures it draws as a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def accessible_svg(svg: str, *, title: str, desc: str = "") -> SafeString:
    """The SVG with role="img", a first-child <title> and, if given, a <desc>."""

    def _open(match: re.Match) -> str:
        head = f'<svg{match.group(1)} role="img"><title>{escape(title)}</title>'
        return head + (f"<desc>{escape(desc)}</desc>" if desc else "")

    return mark_safe(_SVG_OPEN.sub(_open, svg, count=1))  # noqa: S308 - our text is escaped


def series_desc(series: Iterable[tuple[str, Sequence]], labels: Sequence[str]) -> str:
    """'Série : étiquette valeur, étiquette valeur ; Autre série : …' for a <desc>."""
    parts = []
    for name, values in series:
        points = ", ".join(
            f"{label} {_number(value)}".strip()
            for label, value in zip(labels, values, strict=False)
        )
        parts.append(f"{name} : {points}")
    return " ; ".join(parts)


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")
