"""CSV export of enrolments: its columns; `core.spreadsheets` writes (and neutralises) them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import write_csv as write_spreadsheet_csv


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


def _day(value):
    return timezone.localdate(value) if value else None


def row(e) -> list:
    c = e.company
    return [
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
        getattr(e, "diagnosis_score", None),
        _day(e.created_at),
        _day(e.submitted_at),
        _day(e.validated_at),
    ]


def write_csv(
    stream,
    enrolments: Iterable,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 200,
) -> int:
    return write_spreadsheet_csv(
        stream,
        headers=header(),
        rows=(row(e) for e in enrolments),
        progress=progress,
        every=every,
    )
