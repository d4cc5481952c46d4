"""The money section of the relay's dossier page (enrolment): the company's account, in words."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from core.money import format_eur
from enrolment.staff_dossier import TabSummary, register_staff_tab

from .models import JournalLine

ZERO = Decimal("0.00")


def accounting_tab(enrolment, user) -> TabSummary | None:
    company = enrolment.company
    if company.relay_id is None:
        return TabSummary(lines=[_("L'entreprise n'est rattachée à aucune structure relais.")])
    totals = (
        JournalLine.objects.visible_to(user)
        .filter(account__code="411", company=company, entry__relay_id=company.relay_id)
        .aggregate(debit=Coalesce(Sum("debit"), ZERO), credit=Coalesce(Sum("credit"), ZERO))
    )
    due = totals["debit"] - totals["credit"]
    if totals["debit"] == ZERO and totals["credit"] == ZERO:
        lines = [_("Aucune écriture pour cette entreprise (elles naissent à la signature).")]
    elif due > 0:
        lines = [
            _("Facturé à l'entreprise : %(d)s ; reste dû par l'entreprise : %(r)s")
            % {"d": format_eur(totals["debit"]), "r": format_eur(due)}
        ]
    elif due < 0:
        lines = [
            _("Trop-perçu : la structure relais doit %(r)s à l'entreprise")
            % {"r": format_eur(-due)}
        ]
    else:
        lines = [
            _("Facturé à l'entreprise : %(d)s ; tout est réglé.")
            % {"d": format_eur(totals["debit"])}
        ]
    return TabSummary(
        lines=lines,
        url=reverse("funding:company_statement", args=[company.relay.slug, company.pk]),
        link_label=_("Relevé du compte de l'entreprise"),
    )


def register() -> None:
    register_staff_tab("comptabilite", accounting_tab)
