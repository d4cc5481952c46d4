"""De minimis control of an enrolment: the owner's declaration (versioned, corrected by the
relay with a reason) and the ceiling check the `validate` action applies.

The rules themselves (windows, sums, headroom) are pure functions of `catalogue.deminimis`;
the aid equivalent of an offer comes from `catalogue.pricing`. This module reads and writes
the declarations and puts the figures together for one enrolment:

- the aid **declared** by the owner (the current version of the declaration), every aid whose
  date falls in the window;
- the aid **already granted by the programme** to the same company (its other enrolments whose
  agreement was signed: the aid counts as granted on the signature date);
- the aid equivalent of the enrolment's offer, granted on the day the check is made (at
  validation: today, the earliest day the agreement can be signed), under the regulation in
  force that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.deminimis import Assessment, assess
from catalogue.models import DeMinimisRegulation
from catalogue.pricing import enrolment_aid_equivalent, tariff_aid_equivalent
from catalogue.selectors import deminimis_regulation_in_force
from core.exceptions import BusinessRuleError
from core.money import format_eur
from core.roles import STAFF_ROLES, Role, has_role
from core.services import timeline_record

from .models import DeclaredAid, DeMinimisDeclaration, Enrolment, EnrolmentState

S = EnrolmentState
#: While the owner may declare (before the relay validates the enrolment).
OWNER_DECLARES_IN = frozenset({S.ELIGIBLE, S.DIAGNOSED, S.OFFER_CHOSEN})
#: While the relay may correct the declaration (until the agreement is signed: it is annexed).
STAFF_CORRECTS_IN = frozenset(
    {S.SUBMITTED, S.ELIGIBLE, S.DIAGNOSED, S.OFFER_CHOSEN, S.VALIDATED, S.CONSULTANT_ASSIGNED}
)
AID_FIELDS = ("beneficiary", "granting_body", "granted_on", "amount", "regulation")


# --- Reads ------------------------------------------------------------------------------------


def current_declaration(enrolment: Enrolment) -> DeMinimisDeclaration | None:
    """The declaration in force (its highest version), with its aids; None if never declared."""
    return (
        DeMinimisDeclaration.objects.filter(enrolment=enrolment)
        .select_related("declared_by")
        .prefetch_related("aids__regulation")
        .order_by("-version")
        .first()
    )


def declaration_history(enrolment: Enrolment) -> list[DeMinimisDeclaration]:
    """Every version, the newest first (the relay's page shows who changed what, and why)."""
    return list(
        DeMinimisDeclaration.objects.filter(enrolment=enrolment)
        .select_related("declared_by")
        .prefetch_related("aids__regulation")
        .order_by("-version")
    )


_READ = object()  # the declaration is read from the database (a caller may pass it)


def declared_aids(enrolment: Enrolment, declaration=_READ) -> list[tuple[dt.date, Decimal]]:
    if declaration is _READ:
        declaration = current_declaration(enrolment)
    if declaration is None:
        return []
    return [(a.granted_on, a.amount) for a in declaration.aids.all()]


def programme_aids(enrolment: Enrolment) -> list[tuple[dt.date, Decimal]]:
    """The aid the programme granted the same company before: its other signed agreements."""
    others = (
        Enrolment.objects.filter(company_id=enrolment.company_id, signed_at__isnull=False)
        .exclude(pk=enrolment.pk)
        .select_related("tariff")
        .only(  # what the aid equivalent reads (catalogue.pricing.tariff_aid_equivalent)
            "signed_at",
            "tariff__regional_aid_ht",
            "tariff__state_aid_ht",
            "tariff__fse_aid_ht",
        )
    )
    return [
        (timezone.localdate(e.signed_at), tariff_aid_equivalent(tariff=e.tariff))
        for e in others
        if e.tariff_id is not None
    ]


def grant_date(enrolment: Enrolment) -> dt.date:
    """The day the aid is (or would be, if signed today) granted: the agreement's signature."""
    if enrolment.signed_at is not None:
        return timezone.localdate(enrolment.signed_at)
    return timezone.localdate()


def assessment(
    enrolment: Enrolment, *, tariff=None, on: dt.date | None = None, declaration=_READ
) -> Assessment | None:
    """The ceiling check of `enrolment`'s offer (or of `tariff`, another offer the owner looks
    at) granted on `on` (by default its signature date, today before signature); None when no
    offer is chosen."""
    if tariff is not None:
        aid_equivalent = tariff_aid_equivalent(tariff=tariff)
    else:
        aid_equivalent = enrolment_aid_equivalent(enrolment)
    if aid_equivalent is None:
        return None
    on = on or grant_date(enrolment)
    return assess(
        regulation=deminimis_regulation_in_force(on=on),
        on=on,
        declared=declared_aids(enrolment, declaration),
        previous=programme_aids(enrolment),
        aid_equivalent=aid_equivalent,
    )


def headroom_before(
    enrolment: Enrolment, *, on: dt.date | None = None, declaration=_READ
) -> Assessment:
    """The check with a nil new aid: what the company may still receive (the offer page)."""
    on = on or timezone.localdate()
    return assess(
        regulation=deminimis_regulation_in_force(on=on),
        on=on,
        declared=declared_aids(enrolment, declaration),
        previous=programme_aids(enrolment),
        aid_equivalent=Decimal("0.00"),
    )


def dossier_check(enrolment: Enrolment) -> tuple[Assessment, bool, DeMinimisDeclaration | None]:
    """What a dossier shows (staff page, API): the check of its offer, or the headroom before
    one is chosen; whether an offer is chosen; the declaration in force (read once)."""
    declaration = current_declaration(enrolment)
    result = assessment(enrolment, declaration=declaration)
    if result is not None:
        return result, True, declaration
    return headroom_before(enrolment, declaration=declaration), False, declaration


def with_offer(base: Assessment, tariff) -> Assessment:
    """`base` (from `headroom_before`) with the aid of another offer: the offer page's rows."""
    return dataclasses.replace(base, aid_equivalent=tariff_aid_equivalent(tariff=tariff))


def ceiling_check(enrolment: Enrolment, *, on: dt.date | None = None) -> None:
    """Refuse (BusinessRuleError, in French with the figures) an offer above the ceiling."""
    result = assessment(enrolment, on=on)
    if result is None or not result.exceeds:
        return
    raise BusinessRuleError(
        _(
            "Plafond de minimis dépassé : l'aide de cette offre (%(aid)s) s'ajoute aux aides "
            "de minimis reçues du %(start)s au %(end)s (%(already)s), soit %(total)s, au-delà "
            "du plafond de %(ceiling)s du %(regulation)s (dépassement de %(excess)s). "
            "L'inscription ne peut pas être validée."
        )
        % {
            "aid": format_eur(result.aid_equivalent),
            "start": result.window.start.strftime("%d/%m/%Y"),
            "end": result.window.end.strftime("%d/%m/%Y"),
            "already": format_eur(result.already),
            "total": format_eur(result.total),
            "ceiling": format_eur(result.ceiling),
            "regulation": result.regulation.name,
            "excess": format_eur(-result.headroom),
        }
    )


def agreement_clause_data(enrolment: Enrolment) -> dict:
    """What the agreement's de minimis clause and annex say, as plain data (strings)."""
    on = timezone.localdate()
    regulation = deminimis_regulation_in_force(on=on)
    declaration = current_declaration(enrolment)
    aid = enrolment_aid_equivalent(enrolment)
    return {
        "regulation": regulation.name,
        "ceiling": str(regulation.ceiling),
        "aid_equivalent": str(aid) if aid is not None else "",
        "declaration": (
            {
                "version": declaration.version,
                "declared_at": timezone.localtime(declaration.declared_at).strftime("%d/%m/%Y"),
                "is_correction": declaration.is_correction,
                "aids": [
                    {
                        "beneficiary": a.beneficiary,
                        "granting_body": a.granting_body,
                        "granted_on": a.granted_on.strftime("%d/%m/%Y"),
                        "amount": str(a.amount),
                        "regulation": a.regulation.name,
                    }
                    for a in declaration.aids.all()
                ],
            }
            if declaration is not None
            else None
        ),
    }


# --- Writes -----------------------------------------------------------------------------------


def _may_declare(enrolment: Enrolment, by) -> bool:
    if by is None:
        return False
    if getattr(by, "is_read_only", False):
        return False
    if by.is_superuser:
        return True
    if by.role == Role.OWNER:
        return enrolment.company.owner_id == by.pk
    if by.role == Role.RELAY_STAFF:
        return enrolment.company.relay_id is not None and enrolment.company.relay_id == by.relay_id
    return has_role(by, STAFF_ROLES)


def declaration_save(
    *, enrolment: Enrolment, by, aids: list[dict], reason: str = ""
) -> DeMinimisDeclaration:
    """A new version of the declaration: the owner's answer, or the relay's correction.

    `aids`: dicts with beneficiary, granting_body, granted_on, amount, regulation (an empty
    list declares that no de minimis aid was received). Staff must give a reason; nothing is
    edited in place.
    """
    if not _may_declare(enrolment, by):
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à modifier cette déclaration."))
    is_owner = not by.is_superuser and by.role == Role.OWNER
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("company")
            .filter(pk=enrolment.pk)
            .first()  # not get(): zeal reads repeated get() from one line as an N+1
        )
        if is_owner and locked.state not in OWNER_DECLARES_IN:
            raise BusinessRuleError(
                _(
                    "Votre déclaration ne peut plus être modifiée : demandez à votre structure "
                    "relais de la corriger."
                )
            )
        if not is_owner:
            if locked.state not in STAFF_CORRECTS_IN:
                raise BusinessRuleError(
                    _("La déclaration est annexée à la convention signée : elle est définitive.")
                )
            if not reason:
                raise BusinessRuleError(
                    _("Indiquez le motif de la correction de la déclaration."), field="reason"
                )
        for aid in aids:
            if any(aid.get(f) in (None, "") for f in AID_FIELDS):
                raise BusinessRuleError(
                    _(
                        "Pour chaque aide, indiquez l'entreprise bénéficiaire, l'organisme, la "
                        "date, le montant et le règlement."
                    )
                )
            if Decimal(aid["amount"]) <= 0:
                raise BusinessRuleError(_("Le montant d'une aide doit être positif."))
            if aid["granted_on"] > timezone.localdate():
                raise BusinessRuleError(_("La date d'octroi d'une aide ne peut être future."))
        last = locked.deminimis_declarations.aggregate(v=Max("version"))["v"] or 0
        declaration = DeMinimisDeclaration.objects.create(
            enrolment=locked,
            version=last + 1,
            enrolment_version=locked.version,
            declared_by=by,
            is_correction=not is_owner,
            reason=reason if not is_owner else "",
        )
        DeclaredAid.objects.bulk_create(
            [
                DeclaredAid(
                    declaration=declaration,
                    position=i,
                    beneficiary=aid["beneficiary"].strip(),
                    granting_body=aid["granting_body"].strip(),
                    granted_on=aid["granted_on"],
                    amount=Decimal(aid["amount"]),
                    regulation=aid["regulation"],
                )
                for i, aid in enumerate(aids, 1)
            ]
        )
        timeline_record(
            subject=locked,
            verb="deminimis_declared",
            actor=by,
            message=reason if not is_owner else "",
            data={"version": declaration.version, "aids": len(aids)},
        )
    return declaration


def regulations() -> list[DeMinimisRegulation]:
    return list(DeMinimisRegulation.objects.order_by("valid_from"))
