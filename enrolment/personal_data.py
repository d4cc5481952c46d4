"""Personal data held by enrolment: owned companies, enrolments (with their follow-ups and
de minimis declarations), pilots, and the de minimis declarations a person made or corrected.

Registered with `core.personal_data` from `EnrolmentConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q

from core.personal_data import (
    Activity,
    Anonymisation,
    Person,
    iso,
    placeholder_email,
    register_personal_data,
    scrub_queryset,
)

from .models import (
    OPEN_STATES,
    Company,
    DeclaredAid,
    DeMinimisDeclaration,
    DossierMessage,
    Enrolment,
    Pilot,
)


def _pilots(person: Person):
    return Pilot.objects.filter(email__iexact=person.email)


def _declaration(d: DeMinimisDeclaration) -> dict[str, Any]:
    return {
        "version": d.version,
        "declared_at": iso(d.declared_at),
        "is_correction": d.is_correction,
        "reason": d.reason,
        "aids": [
            {
                "beneficiary": a.beneficiary,
                "granting_body": a.granting_body,
                "granted_on": iso(a.granted_on),
                "amount": str(a.amount),
                "regulation": a.regulation.name,
            }
            for a in d.aids.all()
        ],
    }


def _enrolment(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "state": e.state,
        "state_label": str(e.get_state_display()),
        "offer": e.offer.name if e.offer_id else None,
        "difficulty": e.difficulty,
        "created_at": iso(e.created_at),
        "submitted_at": iso(e.submitted_at),
        "validated_at": iso(e.validated_at),
        "signed_at": iso(e.signed_at),
        "closed_at": iso(e.closed_at),
        "withdrawn_at": iso(e.withdrawn_at),
        "withdrawal_reason": e.withdrawal_reason,
        "pilots": [
            {"first_name": p.first_name, "last_name": p.last_name, "email": p.email}
            for p in e.pilots.all()
        ],
        "follow_ups": [
            {
                "due_months": f.due_months,
                "due_on": iso(f.due_on),
                "answered_at": iso(f.answered_at),
                "still_running": f.still_running,
                "indicators_tracked": f.indicators_tracked,
                "latest_values": f.latest_values,
                "indicator_values": f.indicator_values,
                "comment": f.comment,
            }
            for f in e.followups.all()
        ],
        "deminimis_declarations": [_declaration(d) for d in e.deminimis_declarations.all()],
    }


def export(person: Person) -> dict[str, Any]:
    user = person.user
    companies = []
    if user is not None:
        enrolments = Enrolment.objects.select_related("offer").prefetch_related(
            # The follow-ups (collective) through the relation: their own order is the due date.
            "pilots",
            "followups",
            "deminimis_declarations__aids__regulation",
        )
        for company in (
            Company.objects.filter(owner=user)
            .select_related("relay")
            .prefetch_related(Prefetch("enrolments", queryset=enrolments))
        ):
            companies.append(
                {
                    "id": company.pk,
                    "siret": company.siret,
                    "name": company.name,
                    "address": company.address,
                    "postcode": company.postcode,
                    "city": company.city,
                    "relay": company.relay.name if company.relay_id else None,
                    "created_at": iso(company.created_at),
                    "enrolments": [_enrolment(e) for e in company.enrolments.all()],
                }
            )
    pilots = [
        {
            "id": p.pk,
            "company": p.enrolment.company.name,
            "enrolment_id": p.enrolment_id,
            "enrolment_state": p.enrolment.state,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "job_title": p.job_title,
            "email": p.email,
            "phone": p.phone,
            "position": p.position,
        }
        for p in _pilots(person).select_related("enrolment__company")
    ]
    declarations_made = []
    if user is not None:
        declarations_made = [
            {
                "company": d.enrolment.company.name,
                "enrolment_id": d.enrolment_id,
                **_declaration(d),
            }
            for d in DeMinimisDeclaration.objects.filter(declared_by=user)
            .select_related("enrolment__company")
            .prefetch_related("aids__regulation")
            .order_by("declared_at", "pk")
        ]
    return {
        "companies_owned": companies,
        "pilot_of": pilots,
        "deminimis_declarations_made": declarations_made,
        "dossier_messages": _messages(person),
    }


def _person_messages(user):
    """The messages the person wrote, and those of the threads of the companies they own."""
    return DossierMessage.objects.filter(Q(author=user) | Q(enrolment__company__owner=user))


def _messages(person: Person) -> list[dict[str, Any]]:
    user = person.user
    if user is None:
        return []
    return [
        {
            "id": m.pk,
            "enrolment_id": m.enrolment_id,
            "company": m.enrolment.company.name,
            "side": m.side,
            "side_label": str(m.get_side_display()),
            "written_by_you": m.author_id == user.pk,
            "kind": m.kind,
            "text": m.text,
            "attachment": m.attachment_name or None,
            "sent_at": iso(m.created_at),
            "read_at": iso(m.read_at),
        }
        for m in _person_messages(user)
        .select_related("enrolment__company")
        .order_by("created_at", "pk")
    ]


def names(person: Person) -> list[str]:
    found = []
    for first, last in _pilots(person).values_list("first_name", "last_name"):
        if first.strip() and last.strip():  # a lone name would scrub other people's mentions
            found += [f"{first} {last}", f"{last} {first}"]
    return found


def subject(person: Person):
    return _pilots(person).order_by("pk").first()


def anonymise(ctx: Anonymisation) -> int:
    changed = 0
    for pilot in _pilots(ctx.person).only("pk", "first_name", "last_name", "phone", "job_title"):
        placeholders = {
            "first_name": "Pilote",
            "last_name": f"anonymisé n° {pilot.pk}",
            "email": placeholder_email("pilote", pilot.pk),
            "phone": "",
            "job_title": "",
        }
        Pilot.objects.filter(pk=pilot.pk).update(**placeholders)
        Pilot.history.filter(id=pilot.pk).update(**placeholders)  # the audit trail's versions
        changed += 1
    # Free text where the person may be named (whole names only, any company).
    changed += scrub_queryset(
        Enrolment.objects.all(), ["difficulty", "withdrawal_reason", "eligibility_override"], ctx
    )
    # De minimis declarations: the reason of a correction, and a declared aid's beneficiary or
    # granting body (a sole trader is named after the person). Amounts and dates are kept.
    changed += scrub_queryset(DeMinimisDeclaration.objects.all(), ["reason"], ctx)
    changed += scrub_queryset(DeclaredAid.objects.all(), ["beneficiary", "granting_body"], ctx)
    changed += _anonymise_messages(ctx)
    return changed


def _anonymise_messages(ctx: Anonymisation) -> int:
    """The dossiers' messages: names scrubbed everywhere; the person's own files deleted."""
    changed = scrub_queryset(DossierMessage.objects.all(), ["text", "attachment_name"], ctx)
    user = ctx.person.user
    if user is None:
        return changed
    for message in DossierMessage.objects.filter(author=user).exclude(attachment=""):
        message.attachment.delete(save=False)
        DossierMessage.objects.filter(pk=message.pk).update(
            attachment="", attachment_name="", attachment_type=""
        )
        changed += 1
    return changed


def activity() -> Iterable[Activity]:
    """Owners and pilots: the end of each enrolment (or the answer to a follow-up)."""
    rows = Enrolment.objects.values_list(
        "company__owner__email", "state", "closed_at", "withdrawn_at", "updated_at"
    )
    for email, state, closed_at, withdrawn_at, updated_at in rows:
        if email:
            yield email, closed_at or withdrawn_at or updated_at, state in OPEN_STATES
    for email, state, closed_at, withdrawn_at, updated_at in Pilot.objects.values_list(
        "email",
        "enrolment__state",
        "enrolment__closed_at",
        "enrolment__withdrawn_at",
        "enrolment__updated_at",
    ):
        yield email, closed_at or withdrawn_at or updated_at, state in OPEN_STATES


def register() -> None:
    register_personal_data(
        key="enrolment",
        export=export,
        names=names,
        subject=subject,
        anonymise=anonymise,
        activity=activity,
        order=10,
    )
