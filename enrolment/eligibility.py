"""Identity checks and eligibility rules: pure functions, each rule with its reason.

Configurable in settings:
- ENROLMENT_SME_MAX_HEADCOUNT (250, exclusive), ENROLMENT_SME_MAX_TURNOVER (50 M€),
  ENROLMENT_SME_MAX_BALANCE_SHEET (43 M€);
- ENROLMENT_INDUSTRY_NAF_SECTIONS (sections wholly industrial) and
  ENROLMENT_INDUSTRY_NAF_CODES (code prefixes of services to industry).
The territory is the `Departement` rows with `in_programme=True`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

from core.money import format_eur

DEFAULTS = {
    "ENROLMENT_SME_MAX_HEADCOUNT": 250,
    "ENROLMENT_SME_MAX_TURNOVER": Decimal("50000000.00"),
    "ENROLMENT_SME_MAX_BALANCE_SHEET": Decimal("43000000.00"),
    # B extractive, C manufacturing, D energy, E water / waste
    "ENROLMENT_INDUSTRY_NAF_SECTIONS": ["B", "C", "D", "E"],
    # services to industry: industrial wholesale, engineering and testing,
    # industrial cleaning, equipment rental, R&D, design, packaging
    "ENROLMENT_INDUSTRY_NAF_CODES": [
        "46.6",
        "71.1",
        "71.2",
        "72.1",
        "74.1",
        "77.3",
        "81.22",
        "82.92",
    ],
}


def conf(name: str):
    return getattr(settings, name, DEFAULTS[name])


# NAF divisions (two first digits) → section letter
_SECTIONS = [
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
]
NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Za-z])$")


def clean_siret(value: str) -> str:
    """A SIRET typed with spaces or dots → 14 digits; French messages for each mistake."""
    compact = stdnum_siret.compact(value or "")
    try:
        return stdnum_siret.validate(compact)
    except InvalidLength:  # first: stdnum's InvalidLength is a subclass of InvalidFormat
        raise ValidationError(
            _("Le SIRET compte 14 chiffres (vous en avez saisi %(n)s).") % {"n": len(compact)},
            code="length",
        )
    except InvalidFormat:
        raise ValidationError(
            _("Le SIRET ne doit contenir que des chiffres (14 chiffres)."), code="format"
        )
    except InvalidChecksum:
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide (clé de contrôle erronée) : vérifiez-le."),
            code="checksum",
        )


def clean_naf(value: str) -> str:
    """'2562b', '25.62B' → '25.62B'."""
    match = NAF_RE.match((value or "").strip().replace(" ", ""))
    if not match:
        raise ValidationError(
            _("Le code NAF/APE s'écrit quatre chiffres et une lettre, par exemple 25.62B."),
            code="naf",
        )
    return f"{match[1]}.{match[2]}{match[3].upper()}"


def naf_section(naf_code: str) -> str | None:
    match = NAF_RE.match(naf_code or "")
    if not match:
        return None
    division = int(match[1])
    for low, high, letter in _SECTIONS:
        if low <= division <= high:
            return letter
    return None


def departement_code(postcode: str) -> str | None:
    """The département of a French postcode (overseas: three digits; Corsica: 2A/2B)."""
    if not postcode or not re.fullmatch(r"\d{5}", postcode):
        return None
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


@dataclass(frozen=True)
class RuleResult:
    rule: str
    ok: bool
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "ok": self.ok, "reason": self.reason}


def rule_sme(
    *, headcount: int | None, turnover: Decimal | None, balance_sheet_total: Decimal | None
) -> RuleResult:
    max_headcount = conf("ENROLMENT_SME_MAX_HEADCOUNT")
    max_turnover = Decimal(conf("ENROLMENT_SME_MAX_TURNOVER"))
    max_balance = Decimal(conf("ENROLMENT_SME_MAX_BALANCE_SHEET"))
    if headcount is None:
        return RuleResult("sme", False, _("L'effectif n'est pas renseigné."))
    if headcount >= max_headcount:
        return RuleResult(
            "sme",
            False,
            _("Effectif de %(n)s salariés : une PME compte moins de %(max)s salariés.")
            % {"n": headcount, "max": max_headcount},
        )
    if turnover is None and balance_sheet_total is None:
        return RuleResult("sme", False, _("Renseignez le chiffre d'affaires ou le total du bilan."))
    if turnover is not None and turnover <= max_turnover:
        return RuleResult(
            "sme",
            True,
            _(
                "PME : %(n)s salariés (moins de %(max)s) et chiffre d'affaires de %(ca)s (≤ %(lim)s)."
            )
            % {
                "n": headcount,
                "max": max_headcount,
                "ca": format_eur(turnover),
                "lim": format_eur(max_turnover),
            },
        )
    if balance_sheet_total is not None and balance_sheet_total <= max_balance:
        return RuleResult(
            "sme",
            True,
            _("PME : %(n)s salariés (moins de %(max)s) et total du bilan de %(b)s (≤ %(lim)s).")
            % {
                "n": headcount,
                "max": max_headcount,
                "b": format_eur(balance_sheet_total),
                "lim": format_eur(max_balance),
            },
        )
    return RuleResult(
        "sme",
        False,
        _(
            "Chiffre d'affaires supérieur à %(ca)s et total du bilan supérieur à %(b)s : "
            "l'entreprise dépasse les seuils d'une PME."
        )
        % {"ca": format_eur(max_turnover), "b": format_eur(max_balance)},
    )


def rule_territory(*, postcode: str, departements: Mapping[str, str]) -> RuleResult:
    """`departements`: {code: name} of the programme's territory."""
    code = departement_code(postcode)
    if code is None:
        return RuleResult("territory", False, _("Code postal manquant ou invalide."))
    if code in departements:
        return RuleResult(
            "territory",
            True,
            _("Établissement situé dans le département %(code)s %(name)s.")
            % {"code": code, "name": departements[code]},
        )
    return RuleResult(
        "territory",
        False,
        _(
            "Le code postal %(postcode)s (département %(code)s) est hors du territoire du "
            "programme : %(list)s."
        )
        % {
            "postcode": postcode,
            "code": code,
            "list": ", ".join(f"{c} {n}" for c, n in sorted(departements.items())),
        },
    )


def rule_industry(*, naf_code: str) -> RuleResult:
    section = naf_section(naf_code)
    if section is None:
        return RuleResult("industry", False, _("Code NAF/APE manquant ou invalide."))
    if section in conf("ENROLMENT_INDUSTRY_NAF_SECTIONS"):
        return RuleResult(
            "industry",
            True,
            _("Activité industrielle (code NAF %(naf)s, section %(s)s).")
            % {"naf": naf_code, "s": section},
        )
    for prefix in conf("ENROLMENT_INDUSTRY_NAF_CODES"):
        if naf_code.startswith(prefix):
            return RuleResult(
                "industry",
                True,
                _("Activité de service à l'industrie (code NAF %(naf)s).") % {"naf": naf_code},
            )
    return RuleResult(
        "industry",
        False,
        _(
            "Le code NAF %(naf)s (section %(s)s) ne correspond ni à une activité industrielle "
            "ni à un service à l'industrie retenu par le programme."
        )
        % {"naf": naf_code, "s": section},
    )


def evaluate(
    *,
    headcount: int | None,
    turnover: Decimal | None,
    balance_sheet_total: Decimal | None,
    postcode: str,
    naf_code: str,
    departements: Mapping[str, str],
) -> list[RuleResult]:
    return [
        rule_sme(headcount=headcount, turnover=turnover, balance_sheet_total=balance_sheet_total),
        rule_territory(postcode=postcode, departements=departements),
        rule_industry(naf_code=naf_code),
    ]
