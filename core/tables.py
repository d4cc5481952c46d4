"""Tables of core pages: the journal of changes."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class AuditTable(tables.Table):
    """One row per change; the data is a `LazyJournal` (already hydrated page by page)."""

    date = tables.DateTimeColumn(
        verbose_name=_("Date"),
        format="d/m/Y H:i",
        orderable=False,
        attrs={"td": {"class": "text-nowrap"}},
    )
    user_label = tables.Column(verbose_name=_("Par"), orderable=False, empty_values=())
    kind = tables.Column(verbose_name=_("Type d'objet"), accessor="kind__label", orderable=False)
    object_label = tables.TemplateColumn(
        '{% if record.url %}<a href="{{ record.url }}">{{ value }}</a>{% else %}{{ value }}{% endif %}',
        verbose_name=_("Objet"),
        orderable=False,
    )
    action = tables.Column(verbose_name=_("Action"), orderable=False, empty_values=())
    changes = tables.TemplateColumn(
        template_name="core/_audit_changes.html",
        verbose_name=_("Modifications"),
        orderable=False,
        empty_values=(),
    )

    class Meta:
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm align-middle", "id": "audit-log"}
        orderable = False
