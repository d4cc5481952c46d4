"""Jinja2 for the busiest tables' rows and the reminders' e-mails (Django's Jinja2 backend,
`TEMPLATES` "jinja2").

A page's frame stays a Django template; the rows of a long table are written by a Jinja2
template under `templates/jinja2/` (`render_rows`), which renders a 50-row table several
times faster. The rows' words come translated from Python (`gettext` in the view's helper,
so that `makemessages` finds them); the templates only lay them out, autoescaped.
"""

from __future__ import annotations

import html

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from .money import format_eur


class RowUrls:
    """`url(name, *ids)` for the rows of one table: each URL name is reversed once, the rows'
    integer ids are put in its place (Django's `reverse` took a tenth of a 50-row table);
    other arguments go through `reverse`."""

    _ID = 9_876_543_210  # no row has it: marks where the ids go

    def __init__(self) -> None:
        self._parts: dict[tuple[str, int], list[str]] = {}

    def __call__(self, name: str, *args) -> str:
        if not all(type(a) is int for a in args):
            return reverse(name, args=args)
        key = (name, len(args))
        parts = self._parts.get(key)
        if parts is None:
            parts = reverse(name, args=[self._ID] * len(args)).split(str(self._ID))
            self._parts[key] = parts
        url = parts[0]
        for value, part in zip(args, parts[1:], strict=True):
            url += f"{value}{part}"
        return url


def _linebreaksbr(value) -> SafeString:
    return linebreaksbr(value, autoescape=True)


def escape_html(value) -> str:
    """Django's `conditional_escape` (`&#x27;`…; safe strings pass as they are), without its
    check for lazy strings on every call: every value of a 50-row table, and every option of
    the forms' selects (`core.form_renderer`), goes through it."""
    if hasattr(value, "__html__"):
        return value
    return SafeString(html.escape(str(value)))


def environment(**options) -> Environment:
    options.setdefault("finalize", escape_html)
    env = Environment(**options)  # noqa: S701 — the backend turns autoescape on
    env.filters["eur"] = format_eur
    env.filters["linebreaksbr"] = _linebreaksbr
    return env


def render_rows(template_name: str, context: dict) -> SafeString:
    """The HTML of a table's rows, for `{{ rows_html }}` in the page's Django template; its
    template links with `url(name, *ids)` (`RowUrls`)."""
    context = {"url": RowUrls(), **context}
    return mark_safe(render_to_string(template_name, context, using="jinja2"))  # noqa: S308
