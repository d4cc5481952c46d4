"""Personal data held by agreements: the signatures a person gave (registered in ready())."""

from __future__ import annotations

from typing import Any

from core.personal_data import Anonymisation, Person, iso, register_personal_data

from .models import AgreementSignature


def export(person: Person) -> dict[str, Any]:
    user = person.user
    signatures = []
    if user is None:
        return {"agreement_signatures": signatures}
    for s in AgreementSignature.objects.filter(signed_by=user).select_related(
        "agreement__enrolment__company"
    ):
        signatures.append(
            {
                "company": s.agreement.enrolment.company.name,
                "agreement_version": s.version,
                "method": s.method,
                "signed_at": iso(s.signed_at),
                "ip_address": s.ip_address,
                "checksum": s.checksum,
            }
        )
    return {"agreement_signatures": signatures}


def anonymise(ctx: Anonymisation) -> int:
    changed = 0
    user = ctx.person.user
    if user is not None:
        changed += AgreementSignature.objects.filter(
            signed_by=user, ip_address__isnull=False
        ).update(ip_address=None)
    return changed


def register() -> None:
    register_personal_data(key="agreements", export=export, anonymise=anonymise, order=30)
