from django import template

from core.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """{{ amount|eur }} → 2 440,00 €"""
    return format_eur(value)
