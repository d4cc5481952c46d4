import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.jinja import RowUrls
from core.models import person_label
from core.money import format_eur
from core.tables import counted_table, render_table

from .models import Expert
from .outcomes import outcome_labels, outcome_texts, outcomes_for
from .selectors import expert_tags


class PoolTable(tables.Table):
    name = tables.LinkColumn(
        "consultants:profile",
        args=[tables.A("pk")],
        accessor="user__last_name",
        verbose_name=_("Nom"),
        order_by=("user__last_name", "user__first_name"),
        text=lambda e: str(e),
    )
    kind = tables.Column(verbose_name=_("Type"))
    firm = tables.Column(verbose_name=_("Cabinet"))
    specialties = tables.Column(verbose_name=_("Spécialités"), empty_values=(), orderable=False)
    departements = tables.Column(verbose_name=_("Départements"), empty_values=(), orderable=False)
    accreditation = tables.Column(verbose_name=_("Habilitation"))
    load = tables.Column(verbose_name=_("Charge"), order_by=("load_ratio",))
    half_day_rate = tables.TemplateColumn(
        "{% load money %}{{ value|eur }}", verbose_name=_("Tarif ½ j HT")
    )
    outcomes = tables.Column(verbose_name=_("Résultats"), empty_values=(), orderable=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_outcomes = "outcomes" not in self.exclude

    class Meta:
        model = Expert
        fields = ()
        sequence = (
            "name",
            "kind",
            "firm",
            "specialties",
            "departements",
            "accreditation",
            "load",
            "half_day_rate",
            "outcomes",
        )
        # written by Jinja2 (`pool_html`: django-tables2's per-cell rendering was a third of the
        # page); the ordering and pagination stay django-tables2's
        attrs = {"class": "table table-sm table-hover align-middle"}


#: what a row of the pool shows, read as values (model instances and their prefetched
#: specialties and territories cost three times the query)
ROW_FIELDS = (
    "pk",
    "kind",
    "firm",
    "accreditation",
    "capacity",
    "half_day_rate",
    "active_missions",
    "pending_proposals",
    "user__first_name",
    "user__last_name",
    "user__email",
)


def pool_table(experts: QuerySet, request, *, with_outcomes: bool) -> PoolTable:
    """The pool's table, ordered and paginated from the request, its rows the values a row
    shows; counted on the experts alone (the rows' subqueries stay out of the count)."""
    return counted_table(
        PoolTable,
        experts.prefetch_related(None).values(*ROW_FIELDS),
        request,
        count=experts.count(),
        per_page=50,
        exclude=() if with_outcomes else ("outcomes",),
    )


def pool_html(table: PoolTable, request) -> SafeString:
    """The pool's table: what each expert's row prints worked out once in Python and laid out
    by a Jinja2 template; their outcomes when the table shows them (the page's consultants)."""
    kinds = {value: str(label) for value, label in Expert.Kind.choices}
    accreditations = dict(Expert._meta.get_field("accreditation").flatchoices)
    experts = list(table.paginated_rows.data)
    ids = [e["pk"] for e in experts]
    specialties, departements = expert_tags(ids)
    url = RowUrls()
    labels = outcome_labels()
    outcomes = outcomes_for(ids) if table.with_outcomes else {}
    rows = []
    for e in experts:
        pk = e["pk"]
        figures = outcomes.get(pk) if e["kind"] == Expert.Kind.CONSULTANT else None
        rows.append(
            {
                "profile_url": url("consultants:profile", pk),
                "name": person_label(e["user__first_name"], e["user__last_name"], e["user__email"]),
                "kind": kinds.get(e["kind"], e["kind"]),
                "firm": e["firm"] or "—",
                "specialties": ", ".join(specialties.get(pk, ())) or "—",
                "departements": departements.get(pk, ()),
                "accreditation": str(accreditations.get(e["accreditation"], e["accreditation"])),
                "load": e["active_missions"] + e["pending_proposals"],  # Expert.load
                "capacity": e["capacity"],
                "rate": format_eur(e["half_day_rate"]),
                "outcomes": (
                    outcome_texts(figures, expert_pk=pk, labels=labels) if figures else None
                ),
            }
        )
    return render_table(
        table,
        request,
        "consultants/pool_rows.jinja",
        rows,
        region_label=gettext("Vivier des consultants et formateurs"),
        with_outcomes=table.with_outcomes,
    )
