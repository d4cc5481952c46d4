from django import template

from core.money import format_eur, format_percent

register = template.Library()


@register.filter
def eur(value):
    """{{ amount|eur }} → 2 440,00 €"""
    return format_eur(value)


@register.filter
def percent(value, decimals=None):
    """{{ rate|percent:2 }} → 20,00 %, {{ share|percent }} → 50 % (French decimal comma).

    Without a number of decimals, shows as many as the value needs (5E+1 → 50, 12.5 → 12,5).
    """
    return format_percent(value, decimals)
