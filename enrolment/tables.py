"""The relay staff list's table (django-tables2)."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Enrolment


class EnrolmentTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {
                "aria-label": _("Tout sélectionner"),
                "id": "select-all",
                "data-select-all": "bulk-form",
            },
            # the rows' checkboxes are written in enrolment/staff_table.html
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
    relay = tables.Column(verbose_name=_("Structure relais"), accessor="company__relay__name")
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
        attrs = {"class": "table table-hover align-middle", "id": "enrolment-table"}
        # Same HTML as django-tables2's cells, written out (half the rendering time).
        template_name = "enrolment/staff_table.html"

    def render_company(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("enrolment:staff_detail", args=[record.pk]), value
        )

    def render_state(self, record):
        return format_html('<span class="badge state-badge">{}</span>', record.get_state_display())

    def render_diagnosis_score(self, value):
        # SQLite hands the subquery back as a float: show one decimal, the French way
        return f"{number_format(Decimal(str(value)), decimal_pos=1)}\u00a0%"
