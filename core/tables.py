"""Tables of core pages (the journal of changes), and the Jinja2 writer of the busiest tables."""

from __future__ import annotations

from functools import partial

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from .jinja import render_rows
from .pagination import CountedPaginator


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


def counted_table(
    table_class: type[tables.Table],
    rows: QuerySet,
    request,
    *,
    count: int,
    per_page: int,
    **kwargs,
) -> tables.Table:
    """A django-tables2 table over `rows`, ordered and paginated from the request, told its
    count: a page reads its rows as the values it shows, and counts the objects alone (counted
    as values, the rows' joins and subqueries came into the count)."""
    table = table_class(rows, **kwargs)
    paginator = partial(CountedPaginator, count=count)
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": paginator}).configure(
        table
    )
    return table


def render_table(
    table: tables.Table,
    request,
    rows_template: str,
    rows: list,
    *,
    region_label: str | None = None,
    region_class: str = "",
    **context,
) -> SafeString:
    """A django-tables2 table written by Jinja2 (`tables/table.jinja`): django-tables2 keeps
    the ordering and the pagination it read from the request; its header (sort links as its
    own), the rows (`rows_template`, laid out from `rows`) and the page links are written
    in one template, several times faster than its Django templates.

    `region_label`: the table scrolls sideways in its own focusable, named region on a phone.
    """
    head = []
    for column in table.columns:
        href = None
        if column.orderable:
            href = _query(request, table.prefixed_order_by_field, column.order_by_alias.next)
        head.append({"label": column.header, "css": column.attrs["th"].get("class"), "href": href})
    page = getattr(table, "page", None)
    pages = None
    if page is not None and page.paginator.num_pages > 1:
        field = table.prefixed_page_field
        pages = {
            "status": gettext("Page %(n)s sur %(total)s")
            % {"n": page.number, "total": page.paginator.num_pages},
            "previous": _query(request, field, page.previous_page_number())
            if page.has_previous()
            else None,
            "next": _query(request, field, page.next_page_number()) if page.has_next() else None,
        }
    return render_rows(
        "tables/table.jinja",
        {
            **context,
            "rows_template": rows_template,
            "rows": rows,
            "attrs": table.attrs.as_html(),
            "head": head,
            "columns": len(head),
            "empty": table.empty_text,
            "pages": pages,
            "region_label": region_label,
            "region_class": region_class,
            "labels": {
                "pages": gettext("Pages de la liste"),
                "previous": gettext("Précédente"),
                "next": gettext("Suivante"),
            },
        },
    )


def _query(request, name: str, value) -> str:
    """The page's query string with `name` set to `value` (django-tables2's `querystring`)."""
    params = request.GET.copy()
    params[name] = value
    return "?" + params.urlencode()
