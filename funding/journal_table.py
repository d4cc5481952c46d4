"""The journal page's rows, worked out in Python and laid out by a Jinja2 template."""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.jinja import render_rows
from core.models import person_label

from .selectors import origin_label


def journal_rows(lines: list[dict]) -> SafeString:
    """The <tr> of each journal line of a page (`selectors.JOURNAL_ROW_FIELDS`): number, date,
    label (and the entry it reverses), account, debit, credit, company or consultant, origin
    and author."""
    by, automatic, reverses = _("par"), _("écriture automatique"), _("contrepasse")
    origins: dict[str, str] = {}  # each kind of entry translated once per page
    rows = []
    for ln in lines:
        kind = ln["entry__event_kind"]
        origin = origins.get(kind) or origins.setdefault(kind, origin_label(kind))
        if ln["entry__author_id"]:
            author = person_label(
                ln["entry__author__first_name"],
                ln["entry__author__last_name"],
                ln["entry__author__email"],
            )
            origin = f"{origin} · {by} {author}"
        elif ln["entry__outbox_message_id"]:
            origin = f"{origin} · {automatic}"
        consultant = (
            person_label(
                ln["consultant__user__first_name"],
                ln["consultant__user__last_name"],
                ln["consultant__user__email"],
            )
            if ln["consultant_id"]
            else ""
        )
        rows.append(
            {
                "pk": ln["pk"],
                "entry_id": localize(ln["entry_id"]),
                "date": ln["entry__date"].strftime("%d/%m/%Y"),
                "label": ln["entry__label"],
                "reverses": (
                    f"{reverses} n° {localize(ln['entry__reverses_id'])}"
                    if ln["entry__reverses_id"]
                    else ""
                ),
                "account_code": ln["account__code"],
                "account_name": ln["account__name"],
                "debit": ln["debit"],
                "credit": ln["credit"],
                "party": f"{ln['company__name'] or ''} {consultant}".strip(),
                "origin": origin,
            }
        )
    return render_rows("funding/journal_rows.jinja", {"rows": rows, "empty": _("Aucune écriture.")})
