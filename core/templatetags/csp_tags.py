"""Template tags for pages served under the Content Security Policy."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.svg import svg_for_csp

register = template.Library()


@register.simple_tag(takes_context=True)
def inline_svg(context, svg) -> SafeString:
    """Inline a server-rendered chart (our own pygal markup) with the request's CSP nonce."""
    if not svg:
        return mark_safe("")  # noqa: S308
    request = context.get("request")
    # request.csp_nonce is lazy (and falsy until read): reading it puts it in the header
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    nonce = str(nonce) if nonce is not None else ""
    return mark_safe(svg_for_csp(str(svg), nonce=nonce))  # noqa: S308
