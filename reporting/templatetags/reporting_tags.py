import datetime as dt
from decimal import Decimal

from django import template

from core.money import format_eur

register = template.Library()


@register.filter
def cell(value):
    """A dashboard cell: amounts in EUR, dates the French way, the rest as text."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format_eur(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


@register.filter
def is_percent(value) -> bool:
    """'66,7 %': a share, right-aligned like the other figures."""
    return isinstance(value, str) and value.endswith(" %")
