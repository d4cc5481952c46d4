"""{% load timeline_tags %}{% with t=event|event_text %}{{ t.title }} {{ t.detail }}{% endwith %}"""

from django import template

from core.timeline_text import EventText
from core.timeline_text import event_text as _event_text

register = template.Library()


@register.filter
def event_text(event) -> EventText:
    """A history event in words (title, detail): core.timeline_text, never its code."""
    return _event_text(event)
