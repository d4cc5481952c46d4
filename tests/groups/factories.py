"""Builders for the collective action tests: enrolments moved through the real transitions."""

from __future__ import annotations

from zeal import zeal_ignore

from catalogue.models import Offer
from catalogue.selectors import tariff_in_force
from core.models import Departement, Relay, User
from enrolment.models import Enrolment, EnrolmentState, Pilot
from enrolment.services import enrolment_transition
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

S = EnrolmentState
PATH = [
    S.SUBMITTED,
    S.ELIGIBLE,
    S.DIAGNOSED,
    S.OFFER_CHOSEN,
    S.VALIDATED,
    S.CONSULTANT_ASSIGNED,
    S.AGREEMENT_SIGNED,
    S.IN_PROGRESS,
    S.CLOSED,
]
RELAY_OF = {"69": "afpi", "74": "thesame"}


def staff_of(slug: str = "afpi", **extra) -> User:
    with zeal_ignore():  # a set-up helper, often called twice in a test
        return UserFactory(staff=True, relay=Relay.objects.get(slug=slug), **extra)


def company_in(departement: str = "69", **extra):
    dep = Departement.objects.select_related("default_relay").get(code=departement)
    return CompanyFactory(
        departement=dep,
        relay=dep.default_relay,
        postcode=f"{departement}000",
        **extra,
    )


def enrolment_at(
    state: str,
    *,
    departement: str = "69",
    offer: str = "ciblee",
    staff: User | None = None,
    **company,
) -> Enrolment:
    """An enrolment moved to `state` through enrolment_transition, with pilots and a tariff."""
    comp = company_in(departement, **company)
    enrolment = EnrolmentFactory(company=comp)
    staff = staff or UserFactory(staff=True, relay=comp.relay)
    owner = comp.owner
    target = S.IN_PROGRESS if state == S.WITHDRAWN else state
    for step in PATH[: PATH.index(target) + 1]:
        if step == S.OFFER_CHOSEN:
            choose_offer(enrolment, offer)
        by = {
            S.SUBMITTED: owner,
            S.DIAGNOSED: owner,
            S.OFFER_CHOSEN: owner,
            S.VALIDATED: staff,
            S.AGREEMENT_SIGNED: owner,
            S.CLOSED: staff,
        }.get(step)
        enrolment_transition(enrolment=enrolment, to=step, by=by)
    if state == S.WITHDRAWN:
        enrolment_transition(enrolment=enrolment, to=S.WITHDRAWN, by=owner, reason="Trop de charge")
    enrolment.refresh_from_db()
    return enrolment


def choose_offer(enrolment: Enrolment, code: str) -> None:
    offer = Offer.objects.get(code=code)
    enrolment.offer = offer
    enrolment.tariff = tariff_in_force(offer=offer, on=enrolment.created_at.date())
    enrolment.save(update_fields=["offer", "tariff"])
    for position in range(1, (enrolment.tariff.pilots or 1) + 1):
        Pilot.objects.create(
            enrolment=enrolment,
            position=position,
            first_name=["Karim", "Émilie"][position - 1],
            last_name=f"Pilote{enrolment.pk}",
            job_title="Responsable de production",
            email=f"pilote{position}.{enrolment.pk}@test.example",
        )
