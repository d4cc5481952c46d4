"""Template tags of the collective action: a company's seminars on its page."""

from django import template

from enrolment.groups import company_seminars as _company_seminars

register = template.Library()


@register.simple_tag
def company_seminars(company):
    """The company's seminars (in a bounded number of queries); the page already scoped it."""
    return _company_seminars(company=company)
