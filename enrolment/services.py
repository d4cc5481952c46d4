"""Writes on enrolments that do not change their state (the workflow actions do: actions.py)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.roles import Role
from core.services import timeline_record

from . import actions
from .actions import check_version
from .models import STAFF, Company, Enrolment, EnrolmentState


def _lock(pk: int) -> Enrolment:
    """The enrolment row, locked for the transaction (`filter().first()`: see actions._lock)."""
    locked = Enrolment.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise Enrolment.DoesNotExist(pk)
    return locked


# --- The enrolment flow (issue 3) -------------------------------------------------------

S = EnrolmentState
STAFF_ROLES = STAFF
COMPANY_FIELDS = [
    "name",
    "naf_code",
    "headcount",
    "turnover",
    "balance_sheet_total",
    "address",
    "postcode",
    "city",
]


def _relay_contact(relay) -> str:
    if relay is None:
        return _("l'équipe du programme (direction de projet, Ceforalp)")
    parts = [relay.full_name or relay.name]
    if relay.email:
        parts.append(relay.email)
    if relay.phone:
        parts.append(relay.phone)
    return " — ".join(parts)


def owner_sign_up(*, email: str, password: str, first_name: str, last_name: str, phone: str = ""):
    from core.models import User

    return User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        role=Role.OWNER,
    )


def territory_for_postcode(postcode: str):
    """(Departement, its default relay) for a postcode, or (None, None)."""
    from core.models import Departement

    from .eligibility import departement_code

    code = departement_code(postcode)
    if code is None:
        return None, None
    dep = Departement.objects.select_related("default_relay").filter(code=code).first()
    return dep, (dep.default_relay if dep else None)


def enrolment_start(*, owner, siret: str, prefill: dict | None = None) -> Enrolment:
    """Open a draft enrolment for the establishment `siret` (resumed if the owner has one).

    A second attempt on an establishment with an open enrolment is refused with
    who to contact; a company that left the programme may enrol again. Two
    simultaneous requests (a double click) end on the same draft: the loser of the
    race hits a unique constraint and resumes what the winner created.
    """
    try:
        return _enrolment_start(owner=owner, siret=siret, prefill=prefill)
    except IntegrityError:
        return _enrolment_start(owner=owner, siret=siret, prefill=prefill)


def _enrolment_start(*, owner, siret: str, prefill: dict | None) -> Enrolment:
    with transaction.atomic():
        company = Company.objects.select_for_update().filter(siret=siret).first()
        if company is not None:
            current = company.enrolments.open().first()
            if company.owner_id != owner.pk:
                raise BusinessRuleError(
                    _(
                        "Une inscription existe déjà pour cet établissement (SIRET %(siret)s). "
                        "Pour la reprendre ou en savoir plus, contactez : %(contact)s."
                    )
                    % {"siret": siret, "contact": _relay_contact(company.relay)},
                    field="siret",
                )
            if current is not None:
                return current
        else:
            data = {k: v for k, v in (prefill or {}).items() if v}
            company = Company(siret=siret, owner=owner)
            for key in ["name", "address", "postcode", "city", "headcount_band"]:
                setattr(company, key, data.get(key, "")[:255])
            if data.get("naf_code"):
                from .eligibility import clean_naf

                try:
                    company.naf_code = clean_naf(data["naf_code"])
                except Exception:  # noqa: BLE001 - a register oddity: the owner types it
                    company.naf_code = ""
            company.name = company.name or _("Entreprise %(siret)s") % {"siret": siret}
            company.departement, company.relay = territory_for_postcode(company.postcode)
            company.save()
        enrolment = Enrolment.objects.create(company=company, created_by=owner)
        timeline_record(subject=enrolment, verb="created", actor=owner, to_state=S.DRAFT)
    return enrolment


def company_update(
    *, enrolment: Enrolment, by, data: dict, expected_version: int | None = None
) -> Enrolment:
    """Save the company identity step of a draft; the territory follows the postcode."""
    with transaction.atomic():
        locked = _lock(enrolment.pk)
        check_version(locked, expected_version)
        if locked.state != S.DRAFT:
            raise BusinessRuleError(
                _(
                    "L'inscription a été soumise : contactez votre structure relais pour la modifier."
                )
            )
        company = Company.objects.select_for_update().filter(pk=locked.company_id).first()
        for key in COMPANY_FIELDS:
            if key in data:
                setattr(company, key, data[key])
        company.departement, relay = territory_for_postcode(company.postcode)
        company.relay = relay
        company.save()
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    enrolment.refresh_from_db()
    return enrolment


def enrolment_reattach(*, enrolment: Enrolment, by, relay, reason: str = "") -> Enrolment:
    """Attach the company to another relay (staff decision, kept in the timeline)."""
    if by is None or by.role not in STAFF_ROLES and not by.is_superuser:
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à changer la structure relais."))
    with transaction.atomic():
        company = Company.objects.select_for_update().filter(pk=enrolment.company_id).first()
        previous = company.relay
        if previous == relay:
            return enrolment
        company.relay = relay
        company.save(update_fields=["relay", "updated_at"])
        Enrolment.objects.filter(pk=enrolment.pk).update(version=F("version") + 1)
        timeline_record(
            subject=enrolment,
            verb="reattached",
            actor=by,
            message=_("Rattachée à %(new)s (auparavant : %(old)s). %(reason)s")
            % {"new": relay, "old": previous or "—", "reason": reason},
            internal=True,
            data={"from_relay": previous.pk if previous else None, "to_relay": relay.pk},
        )
    enrolment.refresh_from_db()
    return enrolment


def enrolment_add_note(*, enrolment: Enrolment, by, text: str):
    """An internal note by staff: in the timeline, never shown to the company."""
    if not text.strip():
        raise BusinessRuleError(_("La note est vide."), field="text")
    return timeline_record(subject=enrolment, verb="note", actor=by, message=text, internal=True)


def on_diagnosis_submitted(message) -> None:
    """Outbox handler (sync): a submitted enrolment diagnosis moves eligible → diagnosed."""
    from core.models import User

    enrolment_id = message.payload.get("enrolment_id")
    if not enrolment_id:
        return
    enrolment = Enrolment.objects.filter(pk=enrolment_id, state=S.ELIGIBLE).first()
    if enrolment is None:
        return
    by = User.objects.filter(pk=message.payload.get("by_id")).first()
    if by is not None and by.role != Role.OWNER and not by.is_superuser:
        by = None
    actions.diagnose(enrolment=enrolment, by=by)


#: Identity fields the owner may correct (the enrolment form's company step and the API).
COMPANY_IDENTITY_FIELDS = tuple(COMPANY_FIELDS)


def company_update_identity(*, company: Company, by, **changes) -> Company:
    """Correct a company's identity outside the guided form (the API's PATCH).

    Same rule as the form's company step: only its owner (or an administrator),
    only while its enrolment is a draft; then `company_update` does the write.
    """
    if not (by.is_superuser or (by.role == Role.OWNER and company.owner_id == by.pk)):
        raise BusinessRuleError(_("Seul le chef d'entreprise peut modifier ces informations."))
    draft = company.enrolments.filter(state=S.DRAFT).first()
    if draft is None:
        raise BusinessRuleError(
            _("L'inscription a été soumise : contactez votre structure relais pour la modifier.")
        )
    company_update(enrolment=draft, by=by, data=changes)
    company.refresh_from_db()
    return company
