"""Template tags of the pilots' training: each pilot's progress on the company's page."""

from django import template

from consultants.training import company_training as _company_training

register = template.Library()


@register.simple_tag
def company_training(company):
    """Pilots with their training progress (bounded queries); the page already scoped it."""
    return _company_training(company=company)
