"""The journal page's rows, worked out in Python and laid out by a Jinja2 template."""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.jinja import render_rows

from .selectors import origin_label


def journal_rows(lines) -> SafeString:
    """The <tr> of each journal line of a page: number, date, label (and the entry it
    reverses), account, debit, credit, company or consultant, origin and author."""
    rows = []
    for ln in lines:
        entry = ln.entry
        origin = origin_label(entry.event_kind)
        if entry.author_id:
            origin = f"{origin} · {_('par')} {entry.author}"
        elif entry.outbox_message_id:
            origin = f"{origin} · {_('écriture automatique')}"
        company = ln.company.name if ln.company_id else ""
        consultant = str(ln.consultant) if ln.consultant_id else ""
        rows.append(
            {
                "pk": ln.pk,
                "entry_id": localize(entry.pk),
                "date": entry.date.strftime("%d/%m/%Y"),
                "label": entry.label,
                "reverses": (
                    f"{_('contrepasse')} n° {localize(entry.reverses_id)}"
                    if entry.reverses_id
                    else ""
                ),
                "account_code": ln.account.code,
                "account_name": ln.account.name,
                "debit": ln.debit,
                "credit": ln.credit,
                "party": f"{company} {consultant}".strip(),
                "origin": origin,
            }
        )
    return render_rows("funding/journal_rows.jinja", {"rows": rows, "empty": _("Aucune écriture.")})
