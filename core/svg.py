"""Server-rendered SVG charts made safe to inline under the Content Security Policy."""

from __future__ import annotations

import re

from django.utils.html import escape

_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.S | re.I)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"', re.I)
_STYLE_TAG = re.compile(r"<style\b", re.I)
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*(.+?)\s*$", re.I)


def _presentation_attributes(match: re.Match) -> str:
    """style="opacity: 0" → opacity="0": SVG presentation attributes are not inline styles."""
    attrs = []
    for declaration in match.group(1).split(";"):
        parsed = _DECLARATION.match(declaration)
        if parsed:
            attrs.append(f' {parsed.group(1).lower()}="{escape(parsed.group(2))}"')
    return "".join(attrs)


def svg_for_csp(svg: str, *, nonce: str = "") -> str:
    """Drop scripts, turn style attributes into presentation attributes, nonce the <style>.

    pygal writes a config <script> even with ``js=[]``, one ``style="opacity: 0"`` attribute
    and a <style> element scoped to the chart's id: the page's policy allows none of them
    inline, except a <style> carrying the request's nonce.
    """
    svg = _SCRIPT.sub("", str(svg))
    svg = _STYLE_ATTR.sub(_presentation_attributes, svg)
    if nonce:
        svg = _STYLE_TAG.sub(f'<style nonce="{escape(nonce)}"', svg)
    return svg
