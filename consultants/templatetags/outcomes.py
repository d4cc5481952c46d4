from django import template
from django.utils.safestring import SafeString

from core.jinja import render_rows

from ..outcomes import OutcomeFigures, outcome_texts

register = template.Library()


@register.simple_tag
def outcomes_block(figures: OutcomeFigures, expert_pk: int) -> SafeString:
    """{% outcomes_block figures expert.pk %}: the figures' list, as on the pool's rows."""
    return render_rows(
        "consultants/outcomes.jinja", {"o": outcome_texts(figures, expert_pk=expert_pk)}
    )
