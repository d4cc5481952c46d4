"""CSV import and export of the pool, with a report of every rejected row and why."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Departement, User
from core.money import to_cents
from core.roles import Role
from core.spreadsheets import csv_text, unneutralise
from diagnostics.models import Theme

from .models import Expert

COLUMNS = [
    "email",
    "prenom",
    "nom",
    "type",
    "cabinet",
    "specialites",
    "departements",
    "capacite",
    "habilitation",
    "tarif_demi_journee_ht",
    "selectionne_le",
    "forme_le",
    "actif_depuis",
    "suspendu_le",
    "sorti_le",
]
DATE_COLUMNS = {
    "selectionne_le": "selected_on",
    "forme_le": "trained_on",
    "actif_depuis": "active_since",
    "suspendu_le": "suspended_on",
    "sorti_le": "left_on",
}
ROLE_OF_KIND = {Expert.Kind.CONSULTANT: Role.CONSULTANT, Expert.Kind.TRAINER: Role.TRAINER}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def pool_export_csv(*, experts) -> str:
    """The pool as CSV (the import's columns, so a file exported can be edited and imported)."""
    return csv_text(
        headers=COLUMNS,
        rows=(
            [
                e.user.email,
                e.user.first_name,
                e.user.last_name,
                e.kind,
                e.firm,
                "|".join(t.code for t in e.specialties.all()),
                "|".join(d.code for d in e.departements.all()),
                e.capacity,
                e.accreditation,
                e.half_day_rate,
                *[getattr(e, attr) for attr in DATE_COLUMNS.values()],
            ]
            for e in experts
        ),
    )


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(",", "|").split("|") if v.strip()]


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _clean_row(row: dict, themes: dict, departements: dict) -> tuple[dict, list[str]]:
    errors: list[str] = []
    data: dict = {}
    email = (row.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.append(_("adresse e-mail invalide « %(v)s »") % {"v": email})
    data["email"] = email
    data["first_name"] = (row.get("prenom") or "").strip()
    data["last_name"] = (row.get("nom") or "").strip()
    if not data["last_name"]:
        errors.append(_("nom manquant"))
    kind = (row.get("type") or Expert.Kind.CONSULTANT).strip().lower()
    kinds = {"consultant": Expert.Kind.CONSULTANT, "trainer": Expert.Kind.TRAINER}
    kinds["formateur"] = Expert.Kind.TRAINER
    if kind not in kinds:
        errors.append(_("type inconnu « %(v)s » (consultant ou formateur)") % {"v": kind})
    data["kind"] = kinds.get(kind)
    data["firm"] = (row.get("cabinet") or "").strip()
    specialties = []
    for code in _split(row.get("specialites") or ""):
        theme = themes.get(code.lower())
        if theme is None:
            errors.append(_("spécialité inconnue « %(v)s »") % {"v": code})
        else:
            specialties.append(theme)
    data["specialties"] = specialties
    deps = []
    for code in _split(row.get("departements") or ""):
        dep = departements.get(code.zfill(2))
        if dep is None:
            errors.append(_("département inconnu « %(v)s »") % {"v": code})
        else:
            deps.append(dep)
    data["departements"] = deps
    capacity = (row.get("capacite") or "").strip() or "4"
    if not capacity.isdigit() or not 0 <= int(capacity) <= 50:
        errors.append(_("capacité invalide « %(v)s » (entier de 0 à 50)") % {"v": capacity})
    else:
        data["capacity"] = int(capacity)
    accreditation = (row.get("habilitation") or Expert.Accreditation.ACTIVE).strip().lower()
    labels = {str(label).lower(): value for value, label in Expert.Accreditation.choices}
    accreditation = labels.get(accreditation, accreditation)
    if accreditation not in Expert.Accreditation.values:
        errors.append(_("habilitation inconnue « %(v)s »") % {"v": accreditation})
    data["accreditation"] = accreditation
    rate = (row.get("tarif_demi_journee_ht") or "").strip().replace(",", ".").replace(" ", "")
    try:
        data["half_day_rate"] = to_cents(Decimal(rate)) if rate else None
        if data["half_day_rate"] is not None and data["half_day_rate"] < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors.append(_("tarif invalide « %(v)s »") % {"v": rate})
    for column, attr in DATE_COLUMNS.items():
        try:
            data[attr] = _parse_date(row.get(column) or "")
        except ValueError:
            errors.append(
                _("date invalide « %(v)s » (%(col)s, format AAAA-MM-JJ ou JJ/MM/AAAA)")
                % {"v": row.get(column), "col": column}
            )
    return data, errors


def pool_import_csv(*, content: str, by) -> ImportReport:
    """Create or update experts (by e-mail); every rejected row is reported, the others kept."""
    report = ImportReport()
    sample = content[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=delimiter)
    missing = {"email", "nom"} - set(reader.fieldnames or [])
    if missing:
        report.rejected.append(
            (1, "", [_("colonnes manquantes : %(c)s") % {"c": ", ".join(sorted(missing))}])
        )
        return report
    themes = {}
    for theme in Theme.objects.all():
        themes[theme.code.lower()] = theme
        themes[theme.name.lower()] = theme
    departements = {d.code: d for d in Departement.objects.all()}
    for line, row in enumerate(reader, start=2):
        # a file we exported carries quoted formula-shaped text ('=…): read it back as typed
        row = {k: unneutralise(v) if isinstance(v, str) else v for k, v in row.items()}
        data, errors = _clean_row(row, themes, departements)
        user = User.objects.filter(email=data["email"]).first() if not errors else None
        if user is not None and user.role not in (Role.CONSULTANT, Role.TRAINER):
            errors.append(_("l'adresse appartient à un compte qui n'est pas un expert"))
        if errors:
            report.rejected.append((line, data.get("email", ""), errors))
            continue
        with transaction.atomic():
            created = _save_expert(data, user)
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


def _save_expert(data: dict, user: User | None) -> bool:
    role = ROLE_OF_KIND[data["kind"]]
    if user is None:
        user = User.objects.create_user(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=role,
        )
    else:
        user.first_name, user.last_name, user.role = data["first_name"], data["last_name"], role
        user.save(update_fields=["first_name", "last_name", "role"])
    fields = {
        k: data[k]
        for k in (
            "kind",
            "firm",
            "capacity",
            "accreditation",
            "half_day_rate",
            *DATE_COLUMNS.values(),
        )
    }
    expert, created = Expert.objects.update_or_create(user=user, defaults=fields)
    expert.specialties.set(data["specialties"])
    expert.departements.set(data["departements"])
    return created
