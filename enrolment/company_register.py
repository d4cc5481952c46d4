"""Pre-fill from the public company register (recherche-entreprises.api.gouv.fr format).

`settings.COMPANY_REGISTER_URL` / `COMPANY_REGISTER_TIMEOUT`: when the register does not
answer in time (or answers nonsense), the lookup returns None and the owner types the data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

HEADCOUNT_BANDS = {
    "NN": "non employeuse",
    "00": "0 salarié",
    "01": "1 ou 2 salariés",
    "02": "3 à 5 salariés",
    "03": "6 à 9 salariés",
    "11": "10 à 19 salariés",
    "12": "20 à 49 salariés",
    "21": "50 à 99 salariés",
    "22": "100 à 199 salariés",
    "31": "200 à 249 salariés",
    "32": "250 à 499 salariés",
    "41": "500 à 999 salariés",
    "42": "1 000 à 1 999 salariés",
    "51": "2 000 à 4 999 salariés",
    "52": "5 000 à 9 999 salariés",
    "53": "10 000 salariés et plus",
}


def _establishment(result: dict, siret: str) -> dict | None:
    candidates = [result.get("siege") or {}, *(result.get("matching_etablissements") or [])]
    for etab in candidates:
        if etab.get("siret") == siret:
            return etab
    return None


class RegisterStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # the register answered, without this establishment
    UNAVAILABLE = "unavailable"  # no answer in time, or an answer we cannot read


@dataclass(frozen=True)
class RegisterAnswer:
    status: RegisterStatus
    data: dict | None = None


def company_register_search(siret: str) -> RegisterAnswer:
    """What the public register says of `siret`, and whether it answered at all."""
    url = settings.COMPANY_REGISTER_URL.rstrip("/") + "/search"
    try:
        response = httpx.get(
            url,
            params={"q": siret},
            timeout=settings.COMPANY_REGISTER_TIMEOUT,
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        results = response.json().get("results") or []
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        logger.info("Company register unavailable for %s: %s", siret, exc)
        return RegisterAnswer(RegisterStatus.UNAVAILABLE)
    data = _read(results, siret)
    if data is None:
        return RegisterAnswer(RegisterStatus.NOT_FOUND)
    return RegisterAnswer(RegisterStatus.FOUND, data)


def company_register_lookup(siret: str) -> dict | None:
    """{name, address, postcode, city, naf_code, headcount_band}, or None (unknown or silent)."""
    return company_register_search(siret).data


def _read(results, siret: str) -> dict | None:
    if not isinstance(results, list):
        return None
    for result in results:
        if not isinstance(result, dict):
            continue
        etab = _establishment(result, siret)
        if etab is None:
            continue
        postcode = etab.get("code_postal") or ""
        city = etab.get("libelle_commune") or ""
        address = etab.get("adresse") or ""
        suffix = f" {postcode} {city}".rstrip()
        if postcode and address.upper().endswith(suffix.upper()):
            address = address[: -len(suffix)].strip()
        band = etab.get("tranche_effectif_salarie") or result.get("tranche_effectif_salarie")
        return {
            "name": result.get("nom_complet") or "",
            "address": address,
            "postcode": postcode,
            "city": city,
            "naf_code": etab.get("activite_principale") or result.get("activite_principale") or "",
            "headcount_band": HEADCOUNT_BANDS.get(band or "", ""),
        }
    return None
