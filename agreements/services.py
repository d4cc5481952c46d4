"""Agreements (conventions): rendering, versions, signature, batch generation.

An agreement version is rendered from the enrolment's data by a Celery worker
(outbox handlers on `enrolment.validated` and `enrolment.consultant_assigned`).
A new version is created only when the rendered data changed (a content hash),
with the enrolment row locked and a unique (enrolment, version) constraint: a
second run, a redelivered message or a worker killed mid-render leave exactly
one version per content. Signing (the owner's electronic acceptance or the
relay's scanned copy) freezes the agreement, then calls the workflow action
(`actions.accept_agreement` / `actions.sign_agreement`) in the same transaction; the action's
guard asks this module, through the facts registered in `register()`, whether the current
version carries that signature. Its `enrolment.agreement_signed` event is what the ledger follows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.pricing import enrolment_price
from core.exceptions import BusinessRuleError
from core.outbox import outbox_publish, register_handler
from core.pdf import render_pdf, sha256_hex
from core.roles import STAFF_ROLES, Role, has_role
from core.services import timeline_record
from core.uploads import upload_read_pdf
from enrolment import actions, deminimis
from enrolment.dossier import (
    AgreementFacts,
    Document,
    register_agreement_facts,
    register_dossier_documents,
)
from enrolment.models import Enrolment, EnrolmentState

from .models import Agreement, AgreementBatch, AgreementBatchItem, AgreementSignature

logger = logging.getLogger(__name__)

S = EnrolmentState
#: States in which the agreement is (re)generated: validated, consultant known or not.
AGREEMENT_STATES = frozenset({S.VALIDATED, S.CONSULTANT_ASSIGNED})
#: States in which an existing agreement may be looked at (and a missing one generated).
AGREEMENT_VISIBLE_STATES = AGREEMENT_STATES | {S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED}


def agreement_reference(enrolment: Enrolment) -> str:
    return f"PME-{enrolment.pk:06d}"


def agreement_data(*, enrolment: Enrolment) -> dict:
    """Everything the agreement says, as plain data (its hash decides whether to re-render)."""
    company = enrolment.company
    relay = company.relay
    tariff = enrolment.tariff
    if tariff is None or enrolment.offer is None:
        raise BusinessRuleError(_("L'offre et son tarif doivent être choisis avant la convention."))
    price = enrolment_price(enrolment)
    mission = getattr(enrolment, "mission", None)
    consultant = mission.consultant if mission is not None else None
    owner = company.owner
    return {
        "reference": agreement_reference(enrolment),
        "relay": {
            "name": relay.name if relay else "",
            "full_name": (relay.full_name or relay.name) if relay else "",
            "address": relay.address if relay else "",
            "email": relay.email if relay else "",
            "phone": relay.phone if relay else "",
        },
        "company": {
            "name": company.name,
            "siret": company.siret,
            "siren": company.siren,
            "naf_code": company.naf_code,
            "address": company.address,
            "postcode": company.postcode,
            "city": company.city,
            "headcount": company.headcount,
        },
        "owner": {
            "name": (owner.get_full_name() or owner.email) if owner else "",
            "email": owner.email if owner else "",
        },
        "offer": {"code": enrolment.offer.code, "name": enrolment.offer.name},
        "problem": enrolment.problem_theme.name if enrolment.problem_theme_id else "",
        "difficulty": enrolment.difficulty,
        "tariff": {
            "duration_months": tariff.duration_months,
            "half_days": tariff.half_days,
            "pilots": tariff.pilots,
            "includes_training": tariff.includes_training,
            "company_ht": str(price.company_ht),
            "vat_rate": str(price.vat_rate),
            "vat": str(price.vat),
            "company_ttc": str(price.company_ttc),
            "regional_aid": str(price.regional_aid),
            "state_aid": str(price.state_aid),
            "fse_aid": str(price.fse_aid),
            "total_cost_ht": str(price.total_cost_ht),
            "regional_advance_percent": str(price.advance_percent.normalize()),
            "regional_advance": str(price.regional_advance),
            "regional_balance": str(price.regional_balance),
        },
        "pilots": [
            {"name": f"{p.first_name} {p.last_name}", "job_title": p.job_title, "email": p.email}
            for p in enrolment.pilots.all()
        ],
        "consultant": (
            {"name": str(consultant), "firm": consultant.firm, "email": consultant.user.email}
            if consultant is not None
            else None
        ),
        # the de minimis clause (regulation, aid equivalent) and the declaration annexed
        "deminimis": deminimis.agreement_clause_data(enrolment),
    }


def content_hash(data: dict) -> str:
    return sha256_hex(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())


_AMOUNTS = frozenset(
    {
        "company_ht",
        "vat",
        "company_ttc",
        "regional_aid",
        "state_aid",
        "fse_aid",
        "total_cost_ht",
        "regional_advance",
        "regional_balance",
    }
)


def agreement_render(*, data: dict, version: int, issued_on: dt.date) -> bytes:
    """The PDF of one version (A4, print stylesheet, PDF/UA-1)."""
    t = {k: Decimal(v) if k in _AMOUNTS else v for k, v in data["tariff"].items()}
    return render_pdf(
        template="pdf/agreement.html",
        context={
            **data,
            "tariff": t,
            "deminimis": _deminimis_amounts(data.get("deminimis")),
            "version": version,
            "issued_on": issued_on,
        },
    )


def _deminimis_amounts(clause: dict | None) -> dict | None:
    """The clause's amounts back to Decimal (the data holds strings for its hash)."""
    if not clause:
        return None
    declaration = clause.get("declaration")
    if declaration is not None:
        declaration = {
            **declaration,
            "aids": [{**a, "amount": Decimal(a["amount"])} for a in declaration["aids"]],
        }
    return {
        **clause,
        "ceiling": Decimal(clause["ceiling"]),
        "aid_equivalent": Decimal(clause["aid_equivalent"]) if clause["aid_equivalent"] else None,
        "declaration": declaration,
    }


def _load(enrolment_id: int) -> Enrolment:
    return (
        Enrolment.objects.select_related(
            "company__relay",
            "company__owner",
            "offer",
            "tariff",
            "problem_theme",
            "mission__consultant__user",
        )
        .prefetch_related("pilots")
        .get(pk=enrolment_id)
    )


def agreement_ensure_current(*, enrolment_id: int) -> Agreement | None:
    """Render a new version if the agreement's data changed; else return the current one.

    Idempotent: the enrolment row is locked while comparing and rendering, so
    concurrent or repeated runs create each version once. Nothing happens after
    signature (the signed version is final) or outside the agreement states.
    """
    with transaction.atomic():
        state = (
            Enrolment.objects.select_for_update()
            .values_list("state", flat=True)
            .get(pk=enrolment_id)
        )
        latest = Agreement.objects.filter(enrolment_id=enrolment_id).order_by("-version").first()
        if latest is not None and latest.status == Agreement.Status.SIGNED:
            return latest
        if state not in AGREEMENT_VISIBLE_STATES or (
            latest is not None and state not in AGREEMENT_STATES
        ):
            return latest
        enrolment = _load(enrolment_id)
        data = agreement_data(enrolment=enrolment)
        digest = content_hash(data)
        if latest is not None and latest.content_hash == digest:
            return latest
        version = latest.version + 1 if latest else 1
        now = timezone.now()
        pdf = agreement_render(data=data, version=version, issued_on=timezone.localdate(now))
        agreement = Agreement(
            enrolment=enrolment,
            version=version,
            sha256=sha256_hex(pdf),
            content_hash=digest,
            size=len(pdf),
            created_at=now,
        )
        agreement.file.save(f"convention-v{version}.pdf", ContentFile(pdf), save=False)
        try:
            agreement.save()
        except Exception:
            agreement.file.delete(save=False)
            raise
        Agreement.objects.filter(
            enrolment_id=enrolment_id, status=Agreement.Status.ISSUED, version__lt=version
        ).update(status=Agreement.Status.SUPERSEDED)
        timeline_record(
            subject=enrolment,
            verb="agreement_issued",
            message=_("Convention émise (version %(v)s).") % {"v": version},
            data={"version": version, "sha256": agreement.sha256},
        )
        return agreement


def _on_enrolment_event(message) -> None:
    agreement_ensure_current(enrolment_id=message.payload["enrolment_id"])


# --- Signature --------------------------------------------------------------------------------


def current_agreement(*, enrolment: Enrolment) -> Agreement | None:
    return enrolment.agreements.order_by("-version").first()


def _sign(
    *,
    agreement: Agreement,
    by,
    method: str,
    ip_address: str | None,
    scanned: bytes | None = None,
) -> AgreementSignature:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=agreement.enrolment_id)
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        latest = Agreement.objects.filter(enrolment=enrolment).order_by("-version").first()
        if locked.status == Agreement.Status.SIGNED:
            raise BusinessRuleError(_("Cette convention est déjà signée."))
        if latest.pk != locked.pk or locked.status != Agreement.Status.ISSUED:
            raise BusinessRuleError(
                _("Une version plus récente de la convention existe : signez la version %(v)s.")
                % {"v": latest.version}
            )
        if enrolment.state != S.CONSULTANT_ASSIGNED:
            raise BusinessRuleError(
                _("La convention se signe une fois le consultant désigné et ayant accepté.")
            )
        signature = AgreementSignature(
            agreement=locked,
            method=method,
            signed_by=by,
            ip_address=ip_address,
            version=locked.version,
            checksum=locked.sha256,
        )
        if scanned is not None:
            signature.scanned_sha256 = sha256_hex(scanned)
            signature.scanned_copy.save("copie-signee.pdf", ContentFile(scanned), save=False)
        signature.save()
        locked.status = Agreement.Status.SIGNED
        locked.save(update_fields=["status"])
        action = (
            actions.accept_agreement
            if method == AgreementSignature.Method.E_ACCEPTANCE
            else actions.sign_agreement
        )
        action(
            enrolment=enrolment,
            by=by,
            reason=_("Convention version %(v)s signée (%(how)s).")
            % {"v": locked.version, "how": signature.get_method_display()},
        )
    return signature


def _current_signature(enrolment) -> tuple[Agreement | None, AgreementSignature | None]:
    latest = Agreement.objects.filter(enrolment=enrolment).order_by("-version").first()
    if latest is None or latest.status != Agreement.Status.SIGNED:
        return latest, None
    return latest, AgreementSignature.objects.filter(
        agreement=latest, version=latest.version
    ).first()


def fact_agreement_accepted(enrolment, by) -> str | None:
    """The owner accepted the current version electronically (the `accept_agreement` guard)."""
    latest, signature = _current_signature(enrolment)
    if latest is None:
        return _("Aucune convention n'a encore été émise pour cette inscription.")
    if (
        signature is None
        or signature.method != AgreementSignature.Method.E_ACCEPTANCE
        or by is None
        or signature.signed_by_id != by.pk
    ):
        return _(
            "La convention n'est pas acceptée : acceptez sa version en vigueur "
            "(version %(v)s) depuis la page de la convention."
        ) % {"v": latest.version}
    return None


def fact_agreement_signed_copy(enrolment, by) -> str | None:
    """The relay deposited the signed copy of the current version (the `sign_agreement` guard)."""
    latest, signature = _current_signature(enrolment)
    if latest is None:
        return _("Aucune convention n'a encore été émise pour cette inscription.")
    if (
        signature is None
        or signature.method != AgreementSignature.Method.SCANNED
        or not signature.scanned_copy
    ):
        return _(
            "Déposez d'abord la copie signée de la version en vigueur (version %(v)s) "
            "de la convention."
        ) % {"v": latest.version}
    return None


def agreement_accept(*, agreement: Agreement, by, ip_address: str | None) -> AgreementSignature:
    """The owner accepts the current version electronically (who, when, IP, version, checksum)."""
    if by.role != Role.OWNER or agreement.enrolment.company.owner_id != by.pk:
        raise PermissionDenied
    return _sign(
        agreement=agreement,
        by=by,
        method=AgreementSignature.Method.E_ACCEPTANCE,
        ip_address=ip_address,
    )


def validate_signed_pdf(uploaded) -> bytes:
    """A PDF by its content (magic bytes and a parse) and its name; size-limited."""
    try:
        return upload_read_pdf(uploaded, max_bytes=settings.AGREEMENT_MAX_UPLOAD_BYTES)
    except ValidationError as exc:
        raise BusinessRuleError(exc.messages[0], field="file")


def agreement_upload_signed(
    *, agreement: Agreement, by, uploaded, ip_address: str | None = None
) -> AgreementSignature:
    """Relay staff deposit the scanned signed copy of the current version."""
    if not has_role(by, STAFF_ROLES):
        raise PermissionDenied
    data = validate_signed_pdf(uploaded)
    return _sign(
        agreement=agreement,
        by=by,
        method=AgreementSignature.Method.SCANNED,
        ip_address=ip_address,
        scanned=data,
    )


# --- Batch generation -------------------------------------------------------------------------


def agreement_batch_candidates(*, user):
    """Enrolments whose agreement relay staff may generate in a batch, within their scope."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(state__in=AGREEMENT_STATES)
        .select_related("company", "offer")
        .order_by("company__name")
    )


def agreement_batch_start(*, user, enrolment_ids: list[int]) -> AgreementBatch:
    """Queue the agreements of a selection; each item is an outbox event (never lost)."""
    if not has_role(user, STAFF_ROLES):
        raise PermissionDenied
    ids = sorted(set(enrolment_ids))
    if not ids:
        raise BusinessRuleError(_("Sélectionnez au moins une inscription."))
    if len(ids) > settings.AGREEMENT_BATCH_MAX:
        raise BusinessRuleError(
            _("Au plus %(n)s conventions par lot.") % {"n": settings.AGREEMENT_BATCH_MAX}
        )
    allowed = set(
        agreement_batch_candidates(user=user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if allowed != set(ids):
        raise BusinessRuleError(
            _("Certaines inscriptions sélectionnées ne peuvent pas recevoir de convention.")
        )
    with transaction.atomic():
        batch = AgreementBatch.objects.create(created_by=user)
        items = AgreementBatchItem.objects.bulk_create(
            [AgreementBatchItem(batch=batch, enrolment_id=pk) for pk in ids]
        )
        for item in items:
            outbox_publish(
                kind="agreement.batch_item",
                key=f"agreement-batch-item:{item.pk}",
                payload={"item_id": item.pk},
            )
    return batch


def _on_batch_item(message) -> None:
    item = AgreementBatchItem.objects.select_for_update().get(pk=message.payload["item_id"])
    if item.status != AgreementBatchItem.Status.PENDING:
        return
    try:
        agreement = agreement_ensure_current(enrolment_id=item.enrolment_id)
    except BusinessRuleError as exc:
        item.status, item.error = AgreementBatchItem.Status.FAILED, exc.message
    else:
        item.agreement = agreement
        item.status = (
            AgreementBatchItem.Status.DONE if agreement else AgreementBatchItem.Status.FAILED
        )
        if agreement is None:
            item.error = _("Aucune convention ne peut être émise dans l'état actuel.")
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "agreement", "error", "finished_at"])


def agreement_batch_progress(*, batch: AgreementBatch) -> dict:
    counts = batch.items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=AgreementBatchItem.Status.DONE)),
        failed=Count("pk", filter=Q(status=AgreementBatchItem.Status.FAILED)),
    )
    finished = counts["done"] + counts["failed"]
    total = counts["total"] or 1
    return {
        **counts,
        "percent": round(100 * finished / total),
        "finished": finished == counts["total"],
    }


def register() -> None:
    """Called from AgreementsConfig.ready(): side effects run from the outbox relay; the
    company's dossier learns the agreement's status and documents from here."""
    register_handler("enrolment.validated", _on_enrolment_event)
    register_handler("enrolment.consultant_assigned", _on_enrolment_event)
    register_handler("agreement.batch_item", _on_batch_item)
    actions.register_fact("agreement_accepted", fact_agreement_accepted)
    actions.register_fact("agreement_signed_copy", fact_agreement_signed_copy)
    register_agreement_facts(agreement_facts)
    register_dossier_documents(agreement_documents)


def _latest_version(enrolment: Enrolment) -> Agreement | None:
    return Agreement.objects.filter(enrolment_id=enrolment.pk).order_by("-version").first()


def agreement_facts(enrolment: Enrolment) -> AgreementFacts:
    """What the dossier's status needs to know of the agreement (enrolment.dossier)."""
    current = _latest_version(enrolment)
    if current is None:
        return AgreementFacts()
    signature = (
        AgreementSignature.objects.filter(agreement__enrolment=enrolment)
        .values_list("signed_at", flat=True)
        .first()
    )
    return AgreementFacts(
        version=current.version,
        awaiting_signature=current.status == Agreement.Status.ISSUED,
        signed_at=signature,
        url=reverse("agreements:agreement_detail", args=[enrolment.pk]),
    )


def agreement_documents(enrolment: Enrolment, user) -> list[Document]:
    """The agreement's current version, the signed copy, the closing report (the dossier)."""
    docs = []
    current = _latest_version(enrolment)
    if current is not None:
        docs.append(
            Document(
                _("Convention, version %(v)s (PDF)") % {"v": current.version},
                reverse("agreements:agreement_download", args=[enrolment.pk, current.version]),
            )
        )
        if (
            AgreementSignature.objects.filter(agreement__enrolment=enrolment)
            .exclude(scanned_copy="")
            .exists()
        ):
            docs.append(
                Document(
                    _("Convention signée, copie déposée (PDF)"),
                    reverse("agreements:agreement_signed_copy", args=[enrolment.pk]),
                )
            )
    if enrolment.state == EnrolmentState.CLOSED:
        docs.append(
            Document(
                _("Rapport de clôture (PDF)"),
                reverse("agreements:closing_report_pdf", args=[enrolment.pk]),
            )
        )
    return docs


def agreements_awaiting_signature(*, user, limit: int = 10):
    """Current versions waiting for a signature, within the user's scope (home panel).

    Only those the owner can sign today (consultant designated): an issued version of an
    enrolment already signed, closed or withdrawn waits for nothing.
    """
    return (
        Agreement.objects.visible_to(user)
        .filter(status=Agreement.Status.ISSUED, enrolment__state=EnrolmentState.CONSULTANT_ASSIGNED)
        .select_related("enrolment__company")
        .order_by("created_at")[:limit]
    )
