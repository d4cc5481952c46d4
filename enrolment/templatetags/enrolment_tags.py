from django import template

from enrolment.models import EnrolmentState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """'offer_chosen' → 'Offre choisie'."""
    try:
        return EnrolmentState(value).label
    except ValueError:
        return value
