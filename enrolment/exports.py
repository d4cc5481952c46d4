"""CSV export of enrolments, safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def header() -> list[str]:
    return [
        _("SIRET"),
        _("Entreprise"),
        _("Code NAF"),
        _("Effectif"),
        _("Code postal"),
        _("Commune"),
        _("Département"),
        _("Structure relais"),
        _("État"),
        _("Offre"),
        _("Score de l'autodiagnostic"),
        _("Créée le"),
        _("Soumise le"),
        _("Validée le"),
    ]


def row(e) -> list[str]:
    c = e.company
    return [
        safe_cell(v)
        for v in [
            c.siret,
            c.name,
            c.naf_code,
            c.headcount,
            c.postcode,
            c.city,
            c.departement_id or "",
            c.relay.name if c.relay else "",
            e.get_state_display(),
            e.offer.name if e.offer else "",
            getattr(e, "diagnosis_score", None) or "",
            f"{e.created_at:%d/%m/%Y}",
            f"{e.submitted_at:%d/%m/%Y}" if e.submitted_at else "",
            f"{e.validated_at:%d/%m/%Y}" if e.validated_at else "",
        ]
    ]


def write_csv(
    stream,
    enrolments: Iterable,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 200,
) -> int:
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(header())
    n = 0
    for e in enrolments:
        writer.writerow(row(e))
        n += 1
        if progress and n % every == 0:
            progress(n)
    if progress:
        progress(n)
    return n
