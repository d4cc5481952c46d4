"""The group's network: what each member company agrees to show the other members.

When a company joins a territorial group (`groups.group_member_add`), a consent record is
opened for it in that group, in the state "pending": nothing about the company is shown to
the other members. Only its owner acts on it, through two named actions (`CONSENT_ACTIONS`):

| action | from | to | who |
|---|---|---|---|
| `give` (also: change what is shown) | pending, given, withdrawn | given | the company's owner |
| `withdraw` | given | withdrawn | the company's owner |

Each action checks its source state and its actor, writes the record on the locked row, then
records a timeline event and an outbox event `network.consent_<state>` (ids only) in the same
transaction. A withdrawal takes effect at once (the pages read the record at each request,
nothing is cached) and clears the contact person, the e-mail, the activity and the free text.

Who sees the cards (`group_network_data`): the members of the group, current or former (the
group is `visible_to` them), each card only for a company whose consent is given, and only the
fields it chose; relay staff of the group's relay (and the director, the Region, the
administrator) see who consented, and to which fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import BusinessRuleError
from core.outbox import outbox_publish
from core.roles import STAFF_READER_ROLES, has_role
from core.scoping import get_visible_or_404
from core.services import timeline_record

from .models import NETWORK_FIELDS, GroupMembership, NetworkConsent, Seminar, TerritorialGroup

C = NetworkConsent.State


@dataclass(frozen=True)
class ConsentAction:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str


CONSENT_ACTIONS: dict[str, ConsentAction] = {
    a.name: a
    for a in [
        ConsentAction(
            "give",
            gettext_lazy("Donner ou modifier mon consentement"),
            frozenset({C.PENDING, C.GIVEN, C.WITHDRAWN}),
            C.GIVEN,
        ),
        ConsentAction(
            "withdraw",
            gettext_lazy("Retirer mon consentement"),
            frozenset({C.GIVEN}),
            C.WITHDRAWN,
        ),
    ]
}


def may(action: str, *, consent: NetworkConsent, user) -> bool:
    """Whether `user` may take `action` on `consent` now (the owner, from a source state)."""
    return (
        user is not None
        and user.is_authenticated
        and consent.company.owner_id == user.pk
        and consent.state in CONSENT_ACTIONS[action].sources
    )


def _check(action: str, consent: NetworkConsent, by) -> None:
    if by is None or consent.company.owner_id != by.pk:
        raise BusinessRuleError(
            _("Seul le chef d'entreprise choisit ce que les autres membres du groupe voient.")
        )
    if consent.state not in CONSENT_ACTIONS[action].sources:
        raise BusinessRuleError(
            _("Vous n'avez pas de consentement en cours à retirer pour ce groupe.")
        )


def _locked(consent: NetworkConsent) -> NetworkConsent:
    return (
        NetworkConsent.objects.select_for_update(of=("self",))
        .select_related("company", "group")
        .get(pk=consent.pk)
    )


def _events(consent: NetworkConsent, *, verb: str, by, message: str) -> None:
    timeline_record(
        subject=consent.group,
        verb=verb,
        actor=by,
        message=message,
        data={"company_id": consent.company_id, "fields": _chosen(consent)},
    )
    outbox_publish(
        kind=verb,
        key=f"network-consent:{consent.pk}:v{consent.version}",
        payload={
            "consent_id": consent.pk,
            "group_id": consent.group_id,
            "company_id": consent.company_id,
            "state": consent.state,
        },
    )


def _chosen(consent: NetworkConsent) -> list[str]:
    return [name for name in NETWORK_FIELDS if getattr(consent, name)]


# --- services ------------------------------------------------------------------------------


def network_consent_open(*, group: TerritorialGroup, company) -> NetworkConsent:
    """The company's consent record in the group, opened (pending) when it joins; a company
    that comes back to a group it left finds the choice it made (or withdrew) then."""
    consent, _created = NetworkConsent.objects.get_or_create(group=group, company=company)
    return consent


def network_consent_give(
    *,
    consent: NetworkConsent,
    by,
    show_name: bool = False,
    show_activity: bool = False,
    show_town: bool = False,
    show_contact: bool = False,
    show_work: bool = False,
    activity: str = "",
    contact_name: str = "",
    contact_email: str = "",
    working_on: str = "",
) -> NetworkConsent:
    """Give consent (or change what is shown): the card shows exactly the fields chosen.

    What is not chosen is not kept: an unticked contact, activity or free text is cleared.
    """
    shows = {
        "show_name": bool(show_name),
        "show_activity": bool(show_activity),
        "show_town": bool(show_town),
        "show_contact": bool(show_contact),
        "show_work": bool(show_work),
    }
    activity, working_on = activity.strip(), working_on.strip()
    contact_name, contact_email = contact_name.strip(), contact_email.strip()
    if not any(shows.values()):
        raise BusinessRuleError(
            _(
                "Cochez au moins une information à montrer, ou retirez votre consentement : "
                "sans consentement, rien n'est montré."
            )
        )
    if shows["show_activity"] and not activity:
        raise BusinessRuleError(_("Décrivez l'activité de l'entreprise."), field="activity")
    if shows["show_contact"] and not contact_name:
        raise BusinessRuleError(_("Indiquez la personne à contacter."), field="contact_name")
    if shows["show_contact"] and not contact_email:
        raise BusinessRuleError(
            _("Indiquez l'e-mail de la personne à contacter."), field="contact_email"
        )
    if shows["show_work"] and not working_on:
        raise BusinessRuleError(
            _("Dites en quelques mots ce sur quoi l'entreprise travaille."), field="working_on"
        )
    with transaction.atomic():
        locked = _locked(consent)
        _check("give", locked, by)
        first = locked.state != C.GIVEN
        now = timezone.now()
        for name, value in shows.items():
            setattr(locked, name, value)
        locked.activity = activity if shows["show_activity"] else ""
        locked.contact_name = contact_name if shows["show_contact"] else ""
        locked.contact_email = contact_email if shows["show_contact"] else ""
        locked.working_on = working_on if shows["show_work"] else ""
        locked.state = C.GIVEN
        locked.version += 1
        locked.given_at = now if first else locked.given_at
        locked.changed_at = now
        locked.withdrawn_at = None
        locked.changed_by = by
        locked.save()
        _events(
            locked,
            verb="network.consent_given" if first else "network.consent_changed",
            by=by,
            message=locked.company.name,
        )
    return locked


def network_consent_withdraw(*, consent: NetworkConsent, by) -> NetworkConsent:
    """Withdraw consent: the card disappears at once; the contact and free text are erased."""
    with transaction.atomic():
        locked = _locked(consent)
        _check("withdraw", locked, by)
        now = timezone.now()
        for name in NETWORK_FIELDS:
            setattr(locked, name, False)
        locked.activity = locked.contact_name = locked.contact_email = locked.working_on = ""
        locked.state = C.WITHDRAWN
        locked.version += 1
        locked.withdrawn_at = now
        locked.changed_at = now
        locked.changed_by = by
        locked.save()
        _events(locked, verb="network.consent_withdrawn", by=by, message=locked.company.name)
    return locked


# --- selectors -----------------------------------------------------------------------------


def consent_for_owner(*, user, pk: int) -> NetworkConsent:
    """One of the owner's consent records (404 for anyone else's, through `visible_to`)."""
    return get_visible_or_404(
        NetworkConsent.objects.select_related("group__relay", "company__owner"), user, pk=pk
    )


def consents_of_owner(*, user) -> list[NetworkConsent]:
    """The owner's consent records, one per group their companies belong or belonged to."""
    return list(
        NetworkConsent.objects.filter(company__owner=user)
        .select_related("group__relay", "company")
        .order_by("group__name", "company__name")
    )


@dataclass(frozen=True)
class Card:
    """What one consenting member shows: only the fields it chose (None: not shown)."""

    consent_id: int
    name: str | None
    activity: str | None
    town: str | None
    contact_name: str | None
    contact_email: str | None
    working_on: str | None
    current: bool


def _card(consent: NetworkConsent, *, current: bool) -> Card:
    company = consent.company
    return Card(
        consent_id=consent.pk,
        name=company.name if consent.show_name else None,
        activity=consent.activity if consent.show_activity else None,
        town=company.city if consent.show_town and company.city else None,
        contact_name=consent.contact_name if consent.show_contact else None,
        contact_email=consent.contact_email if consent.show_contact else None,
        working_on=consent.working_on if consent.show_work else None,
        current=current,
    )


def sees_consents(user) -> bool:
    """The staff who read the group (its relay's, or the programme's) see who consented."""
    return has_role(user, STAFF_READER_ROLES)


def group_network_data(*, group: TerritorialGroup, user) -> dict:
    """The group's page: the cards of consenting members, the seminars, and for the staff who
    consented to what. The group was fetched through `visible_to(user)`. Bounded queries."""
    memberships = list(
        GroupMembership.objects.filter(group=group)
        .select_related("enrolment__company")
        .order_by("enrolment__company__name", "joined_at")
    )
    current_companies = {m.enrolment.company_id for m in memberships if m.left_at is None}
    member_companies = {m.enrolment.company_id for m in memberships}
    consents = list(
        NetworkConsent.objects.filter(group=group, company_id__in=member_companies)
        .select_related("company")
        .order_by("company__name", "pk")
    )
    cards = [
        _card(c, current=c.company_id in current_companies) for c in consents if c.state == C.GIVEN
    ]
    seminars = list(
        Seminar.objects.filter(group=group)
        .select_related("theme", "speaker__user")
        .order_by("starts_at", "pk")
    )
    own = [c for c in consents if c.company.owner_id == user.pk]
    data = {
        "cards": cards,
        "seminars": seminars,
        "own_consents": own,
        "now": timezone.now(),
        "staff_view": sees_consents(user),
    }
    if data["staff_view"]:
        by_company = {c.company_id: c for c in consents}
        rows, seen = [], set()
        for m in memberships:
            company = m.enrolment.company
            if company.pk in seen:
                continue
            seen.add(company.pk)
            rows.append(
                {
                    "company": company,
                    "current": company.pk in current_companies,
                    "consent": by_company.get(company.pk),
                }
            )
        data["consent_rows"] = rows
    return data
