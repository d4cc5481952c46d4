"""Build enrolments at the agreement stage the way the product does (workflow actions)."""

from __future__ import annotations

from consultants.models import Expert, Mission
from enrolment.models import Enrolment, EnrolmentState
from tests.builders import advance, enrolment_at
from tests.factories import UserFactory

S = EnrolmentState


def staff_user(relay_slug: str | None = None):
    from tests.factories import relay

    if relay_slug:
        return UserFactory(staff=True, relay=relay(relay_slug))
    return UserFactory(staff=True)


def enrolment_validated(*, offer_code: str = "ciblee", staff=None, **company) -> Enrolment:
    """An enrolment with its offer, tariff and pilots, validated by relay staff."""
    return enrolment_at(S.VALIDATED, offer=offer_code, staff=staff or staff_user(), **company)


def assign_consultant(enrolment: Enrolment, *, staff=None) -> Mission:
    """Claire Consultante (Lean Alpes) accepts the mission: the enrolment is consultant_assigned."""
    user = UserFactory(consultant=True, first_name="Claire", last_name="Consultante")
    expert = Expert.objects.create(user=user, kind=Expert.Kind.CONSULTANT, firm="Lean Alpes")
    advance(enrolment, S.CONSULTANT_ASSIGNED, consultant=expert, staff=staff or staff_user())
    return Mission.objects.get(enrolment=enrolment)
