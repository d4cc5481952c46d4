from django import template

from core.timeline_text import event_text
from enrolment.models import EnrolmentState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """'offer_chosen' → 'Offre choisie'."""
    try:
        return EnrolmentState(value).label
    except ValueError:
        return value


@register.filter
def timeline_label(event) -> str:
    """What a history line says, in words (core.timeline_text): its title."""
    return event_text(event).title


@register.filter
def timeline_detail(event) -> str:
    """The detail of a history line (a reason, a version…), or ''."""
    return event_text(event).detail
