"""The director's queue: what each enrolment needs a consultant for, and the queue's rows
(worked out in Python, laid out by a Jinja2 template)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.jinja import render_rows


def assignment_needs(e, *, labelled: bool = False) -> SafeString:
    """What the enrolment needs a consultant for, the same words on the queue and the
    suggestion page (`selectors.with_assignment_needs` sets `targeted` and `weak_themes`): an
    approfondie's key weak themes, else the chosen problem. `labelled`: in a sentence."""
    if not e.targeted and e.weak_themes:
        return format_html(
            '<span class="assignment-needs">{} {}</span>',
            _("Thèmes faibles :"),
            ", ".join(e.weak_themes),
        )
    if e.problem_theme_id:
        if labelled:
            return format_html("{} : {}", _("Problème"), e.problem_theme)
        return format_html("{}", e.problem_theme)
    return format_html("{}", _("Aucun thème faible à l'autodiagnostic") if labelled else "—")


def queue_rows(enrolments) -> SafeString:
    """The <tr> of each waiting enrolment (`waiting_since`, `waiting_days`, `pending`,
    `declines` and the needs set by the queue's view)."""
    rows = []
    for e in enrolments:
        company = e.company
        waiting = ngettext("%(d)s jour", "%(d)s jours", e.waiting_days) % {"d": e.waiting_days}
        situation = (
            _("Proposée à %(name)s, en attente") % {"name": e.pending.consultant}
            if e.pending
            else _("À désigner")
        )
        if e.declines:
            refusals = ngettext("%(n)s refus", "%(n)s refus", e.declines) % {"n": e.declines}
            situation = f"{situation} · {refusals}"
        rows.append(
            {
                "company": company.name,
                "relay": company.relay or "—",
                "departement": company.departement_id or "—",
                "offer": e.offer or "—",
                "needs": assignment_needs(e),
                "since": f"{timezone.localtime(e.waiting_since):%d/%m/%Y} ({waiting})",
                "situation": situation,
                "pk": e.pk,
            }
        )
    return render_rows(
        "consultants/queue_rows.jinja",
        {
            "rows": rows,
            "suggestions": _("Suggestions"),
            "empty": _("Aucune inscription en attente."),
        },
    )
