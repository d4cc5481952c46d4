"""Builders for the collective action tests: enrolments moved through the workflow actions."""

from __future__ import annotations

from zeal import zeal_ignore

from core.models import Departement, Relay, User
from enrolment.models import Enrolment, EnrolmentState
from tests.builders import enrolment_at as build_enrolment_at
from tests.factories import CompanyFactory, UserFactory

S = EnrolmentState
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
    """An enrolment moved to `state` through the workflow actions (withdrawn while running)."""
    comp = company_in(departement, **company)
    return build_enrolment_at(
        state,
        company=comp,
        offer=offer,
        staff=staff or UserFactory(staff=True, relay=comp.relay),
        withdraw_after=S.IN_PROGRESS,
    )
