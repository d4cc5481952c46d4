import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Expert


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

    def __init__(self, *args, outcomes: dict | None = None, **kwargs):
        """`outcomes`: {expert id: OutcomeFigures} (consultants.outcomes), for the director."""
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes or {}

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
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_specialties(self, record):
        return ", ".join(t.name for t in record.specialties.all()) or "—"

    def render_departements(self, record):
        return (
            format_html_join(
                " ",
                '<span class="badge text-bg-light">{}</span>',
                ((d.code,) for d in record.departements.all()),
            )
            or "—"
        )

    def render_load(self, record):
        return f"{record.load} / {record.capacity}"

    def render_outcomes(self, record):
        figures = self.outcomes.get(record.pk)
        if figures is None or record.kind != Expert.Kind.CONSULTANT:
            return "—"
        return render_to_string(
            "consultants/_outcomes.html", {"o": figures, "expert_pk": record.pk}
        )
