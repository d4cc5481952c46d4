import django_tables2 as tables
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.jinja import RowUrls, render_rows
from core.money import format_eur

from .models import Expert
from .outcomes import outcome_texts, outcomes_for


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
        self.outcomes: dict = {}  # {expert id: OutcomeFigures}, filled by pool_rows
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
        # rows written out from `pool_rows` (django-tables2's per-cell rendering was a third of
        # the page); the header, ordering and pagination stay django-tables2's
        template_name = "consultants/pool_table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}


def pool_rows(table: PoolTable) -> SafeString:
    """The <tr> of the page's experts, what each prints worked out once in Python and laid out
    by a Jinja2 template; their outcomes when the table shows them (the page's consultants)."""
    kinds = {value: str(label) for value, label in Expert.Kind.choices}
    accreditations = dict(Expert._meta.get_field("accreditation").flatchoices)
    experts = [row.record for row in table.paginated_rows]
    url = RowUrls()
    if table.with_outcomes:
        table.outcomes = outcomes_for(e.pk for e in experts)
    rows = []
    for e in experts:
        figures = table.outcomes.get(e.pk) if e.kind == Expert.Kind.CONSULTANT else None
        rows.append(
            {
                "profile_url": url("consultants:profile", e.pk),
                "name": str(e),
                "kind": kinds.get(e.kind, e.kind),
                "firm": e.firm or "—",
                "specialties": ", ".join(t.name for t in e.specialties.all()) or "—",
                "departements": [d.code for d in e.departements.all()],
                "accreditation": str(accreditations.get(e.accreditation, e.accreditation)),
                "load": e.load,
                "capacity": e.capacity,
                "rate": format_eur(e.half_day_rate),
                "outcomes": outcome_texts(figures, expert_pk=e.pk) if figures else None,
            }
        )
    return render_rows(
        "consultants/pool_rows.jinja",
        {
            "rows": rows,
            "with_outcomes": table.with_outcomes,
            "empty": table.empty_text,
            "columns": len(table.columns),
        },
    )
