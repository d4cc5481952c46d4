"""Writes on enrolments that do not change their state (the workflow actions do: actions.py)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from catalogue.offers import is_targeted
from catalogue.selectors import tariff_in_force
from core.exceptions import BusinessRuleError
from core.models import Departement, User
from core.roles import STAFF_ROLES, Role, has_role
from core.services import timeline_record

from . import actions
from .actions import check_version, eligibility_results, offer_requirements, pilots_needed
from .eligibility import clean_naf, departement_code
from .models import Company, Enrolment, EnrolmentState, Pilot


def _lock(pk: int, *related: str) -> Enrolment:
    """The enrolment row, locked for the transaction.

    `filter().first()` rather than `get()`: django-zeal reports repeated `.get()` from one
    line as an N+1, and a service legitimately chains transitions (submit → eligible).
    """
    locked = Enrolment.objects.select_for_update().select_related(*related).filter(pk=pk).first()
    if locked is None:
        raise Enrolment.DoesNotExist(pk)
    return locked


# --- The enrolment flow (issue 3) -------------------------------------------------------

S = EnrolmentState
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
                try:
                    company.naf_code = clean_naf(data["naf_code"])
                except Exception:  # noqa: BLE001 - a register oddity: the owner types it
                    company.naf_code = ""
            # no made-up name: when the register does not answer, the owner types it
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


#: States in which the owner may still correct the company's identity (request not sent yet).
CORRECTABLE_STATES = frozenset({S.ELIGIBLE, S.DIAGNOSED})


def company_correct(
    *, enrolment: Enrolment, by, data: dict, expected_version: int | None = None
) -> Enrolment:
    """Correct the identity of an eligible company before its request is sent to the relay.

    Its eligibility is checked again with the new data: a correction that would make it
    ineligible is refused (the relay decides such cases), nothing is changed.
    """
    with transaction.atomic():
        locked = _lock(enrolment.pk)
        check_version(locked, expected_version)
        if locked.state not in CORRECTABLE_STATES:
            raise BusinessRuleError(
                _(
                    "Votre demande a été envoyée : contactez votre structure relais pour "
                    "modifier ces informations."
                )
            )
        company = Company.objects.select_for_update().filter(pk=locked.company_id).first()
        for key in COMPANY_FIELDS:
            if key in data:
                setattr(company, key, data[key])
        company.departement, company.relay = territory_for_postcode(company.postcode)
        company.save()
        locked.company = company
        results = eligibility_results(enrolment=locked)
        failed = [r["reason"] for r in results if not r["ok"]]
        if failed:
            raise BusinessRuleError(
                _(
                    "Avec ces informations, votre entreprise ne serait plus éligible : "
                    "%(reasons)s Si elles sont exactes, contactez votre structure relais."
                )
                % {"reasons": " ".join(failed)}
            )
        locked.eligibility = results
        locked.version += 1
        locked.save(update_fields=["eligibility", "version", "updated_at"])
    enrolment.refresh_from_db()
    return enrolment


def company_complete_and_submit(
    *, enrolment: Enrolment, by, data: dict, expected_version: int | None = None
) -> Enrolment:
    """The company step of the journey: save the identity, then check eligibility, at once."""
    with transaction.atomic():
        company_update(enrolment=enrolment, by=by, data=data, expected_version=expected_version)
        actions.submit(enrolment=enrolment, by=by)
    enrolment.refresh_from_db()
    return enrolment


def enrolment_offer_save(
    *,
    enrolment: Enrolment,
    by,
    offer,
    pilots: list[dict],
    problem_theme=None,
    expected_version: int | None = None,
) -> Enrolment:
    """Keep the offer, the problem and the pilots the owner chose, without sending anything.

    The owner checks them on the next page ("Vérifiez vos réponses"), which sends the request
    with the `choose_offer` action. The same rules apply now, so the check page shows a request
    that can be sent.
    """
    with transaction.atomic():
        locked = _lock(enrolment.pk)
        check_version(locked, expected_version)
        if locked.state != S.DIAGNOSED:
            raise BusinessRuleError(
                _("L'offre se choisit après l'autodiagnostic (état actuel : %(state)s).")
                % {"state": locked.get_state_display()}
            )
        tariff = tariff_in_force(offer=offer)
        pilots = [p for p in pilots if p][: pilots_needed(offer)]
        # the rules `choose_offer` applies when the request is sent (enrolment.actions)
        offer_requirements(
            offer=offer, tariff=tariff, pilots=len(pilots), problem_theme=problem_theme
        )
        locked.offer = offer
        locked.tariff = tariff
        locked.problem_theme = problem_theme if is_targeted(offer) else None
        locked.version += 1
        locked.save(update_fields=["offer", "tariff", "problem_theme", "version", "updated_at"])
        locked.pilots.all().delete()
        bulk_create_with_history(
            [Pilot(enrolment=locked, position=i, **data) for i, data in enumerate(pilots, start=1)],
            Pilot,
        )
    enrolment.refresh_from_db()
    return enrolment


def pilot_data(enrolment: Enrolment) -> list[dict]:
    """The saved pilots as the fields the `choose_offer` action takes."""
    fields = ["first_name", "last_name", "job_title", "email", "phone"]
    return [{f: getattr(p, f) for f in fields} for p in enrolment.pilots.order_by("position")]


def enrolment_reattach(*, enrolment: Enrolment, by, relay, reason: str = "") -> Enrolment:
    """Attach the company to another relay (staff decision, kept in the timeline)."""
    if not has_role(by, STAFF_ROLES):
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
