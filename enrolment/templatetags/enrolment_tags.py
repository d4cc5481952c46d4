from django import template
from django.utils.translation import gettext_lazy as _

from enrolment.models import EnrolmentState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """'offer_chosen' → 'Offre choisie'."""
    try:
        return EnrolmentState(value).label
    except ValueError:
        return value


VERBS = {
    "created": _("Inscription commencée"),
    "note": _("Note interne"),
    "reattached": _("Changement de structure relais"),
}


@register.filter
def timeline_label(event) -> str:
    """What a timeline line says: the state reached, or the action."""
    if event.to_state:
        return state_label(event.to_state)
    return str(VERBS.get(event.verb, event.verb))
