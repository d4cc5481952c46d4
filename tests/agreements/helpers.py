"""Build enrolments at the agreement stage the way the product does (through services)."""

from __future__ import annotations

import datetime as dt

from catalogue.models import Offer
from catalogue.selectors import tariff_in_force
from consultants.models import Expert, Mission
from enrolment.models import Enrolment, EnrolmentState, Pilot
from enrolment.services import enrolment_transition
from tests.factories import EnrolmentFactory, UserFactory

S = EnrolmentState


def staff_user(relay_slug: str | None = None):
    from tests.factories import relay

    if relay_slug:
        return UserFactory(staff=True, relay=relay(relay_slug))
    return UserFactory(staff=True)


def enrolment_validated(*, offer_code: str = "ciblee", staff=None, **company) -> Enrolment:
    """An enrolment with its offer, tariff and pilots, validated by relay staff."""
    enrolment = EnrolmentFactory(**{f"company__{k}": v for k, v in company.items()})
    owner = enrolment.company.owner
    staff = staff or staff_user()
    enrolment_transition(enrolment=enrolment, to=S.SUBMITTED, by=owner)
    enrolment_transition(enrolment=enrolment, to=S.ELIGIBLE)
    enrolment_transition(enrolment=enrolment, to=S.DIAGNOSED, by=owner)
    offer = Offer.objects.get(code=offer_code)
    enrolment.offer = offer
    enrolment.tariff = tariff_in_force(offer=offer)
    enrolment.save(update_fields=["offer", "tariff"])
    for position in range(1, (enrolment.tariff.pilots or 1) + 1):
        Pilot.objects.create(
            enrolment=enrolment,
            position=position,
            first_name=f"Pilote{position}",
            last_name="Martin",
            job_title="Responsable de production",
            email=f"pilote{position}@example.test",
        )
    enrolment_transition(enrolment=enrolment, to=S.OFFER_CHOSEN, by=owner)
    enrolment_transition(enrolment=enrolment, to=S.VALIDATED, by=staff)
    return enrolment


def assign_consultant(enrolment: Enrolment, *, staff=None) -> Mission:
    user = UserFactory(consultant=True, first_name="Claire", last_name="Consultante")
    expert = Expert.objects.create(user=user, kind=Expert.Kind.CONSULTANT, firm="Lean Alpes")
    start = dt.date.today()
    mission = Mission.objects.create(
        enrolment=enrolment,
        consultant=expert,
        start_date=start,
        planned_end_date=start + dt.timedelta(days=120),
    )
    enrolment_transition(enrolment=enrolment, to=S.CONSULTANT_ASSIGNED, by=staff or staff_user())
    return mission
