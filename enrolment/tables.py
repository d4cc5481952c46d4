"""The relay staff list's table (django-tables2 for the ordering and pages, Jinja2 for the HTML)."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.jinja import RowUrls
from core.tables import counted_table, render_table

from .models import Enrolment, EnrolmentState


class EnrolmentTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {
                "aria-label": _("Tout sélectionner"),
                "id": "select-all",
                "data-select-all": "bulk-form",
            },
            # the rows' checkboxes are written in jinja2/enrolment/list_rows.jinja
        },
        orderable=False,
    )
    company = tables.Column(
        verbose_name=_("Entreprise"), accessor="company__name", order_by=("company__name",)
    )
    siret = tables.Column(verbose_name=_("SIRET"), accessor="company__siret")
    departement = tables.Column(
        verbose_name=_("Dépt"),
        accessor="company__departement_id",
        order_by=("company__departement",),
    )
    relay = tables.Column(verbose_name=_("Structure relais"), accessor="relay__name")
    state = tables.Column(verbose_name=_("État"))
    offer = tables.Column(verbose_name=_("Offre"), accessor="offer__name", default="—")
    diagnosis_score = tables.Column(verbose_name=_("Score"), default="—")
    created_at = tables.DateColumn(verbose_name=_("Créée le"), format="d/m/Y")

    class Meta:
        model = Enrolment
        fields = []
        sequence = (
            "selection",
            "company",
            "siret",
            "departement",
            "relay",
            "state",
            "offer",
            "diagnosis_score",
            "created_at",
        )
        order_by = "-created_at"
        empty_text = _("Aucune inscription ne correspond à ces critères.")
        attrs = {"class": "table table-hover align-middle", "id": "enrolment-table"}
        # header, rows and page links written by Jinja2 (`list_html`); django-tables2 keeps
        # the ordering and the pagination


#: what a row of the list shows, read as values (model instances cost 3× the query)
ROW_FIELDS = (
    "pk",
    "state",
    "created_at",
    "diagnosis_score",
    "offer__name",
    "company__name",
    "company__siret",
    "company__departement_id",
    "relay__name",
)


def list_table(enrolments: QuerySet, request) -> EnrolmentTable:
    """The list's table, ordered and paginated from the request: its rows are the values a
    row shows (`unread_messages` when annotated), counted on the enrolments alone (the rows'
    joins made the count a tenth of the page)."""
    fields = ROW_FIELDS
    if "unread_messages" in enrolments.query.annotations:
        fields = (*fields, "unread_messages")
    return counted_table(
        EnrolmentTable,
        enrolments.values(*fields),
        request,
        count=enrolments.count(),
        per_page=25,
    )


def list_html(table: EnrolmentTable, request) -> SafeString:
    """The list's table: each row's words worked out once in Python, laid out by Jinja2."""
    states = {value: str(label) for value, label in EnrolmentState.choices}
    url = RowUrls()
    rows = []
    for e in table.paginated_rows.data:
        name = e["company__name"]
        unread = e.get("unread_messages")
        score = e["diagnosis_score"]
        rows.append(
            {
                "pk": e["pk"],
                "detail_url": url("enrolment:staff_detail", e["pk"]),
                "company": name,
                "select_label": gettext("Sélectionner %(company)s") % {"company": name},
                "unread_label": (
                    ngettext("%(n)s message non lu", "%(n)s messages non lus", unread)
                    % {"n": unread}
                    if unread
                    else ""
                ),
                "siret": e["company__siret"],
                "departement": e["company__departement_id"] or "—",
                "relay": e["relay__name"] or "—",
                "state": states.get(e["state"], e["state"]),
                "offer": e["offer__name"] or "—",
                "score": (  # SQLite hands the subquery back as a float
                    "—"
                    if score is None
                    else f"{number_format(Decimal(str(score)), decimal_pos=1)} %"
                ),
                "created_on": f"{timezone.localtime(e['created_at']):%d/%m/%Y}",
            }
        )
    return render_table(
        table,
        request,
        "enrolment/list_rows.jinja",
        rows,
        region_label=gettext("Liste des inscriptions"),
        region_class="sticky-two",
    )
