"""Ways to bring enrolments to a money-relevant state the way the product does.

These are batch set-up helpers (many transitions in a row), so they run outside
django-zeal's N+1 detection; pages are still checked on every request.
"""

from __future__ import annotations

import functools
import itertools
from decimal import Decimal

from zeal import zeal_ignore

from catalogue.models import Offer
from catalogue.selectors import tariff_in_force
from consultants.models import Expert
from core.outbox import outbox_publish
from core.roles import Role
from enrolment.models import EnrolmentState as S
from enrolment.services import enrolment_transition
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

_half_day_ids = itertools.count(1)


def setup_helper(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with zeal_ignore():
            return fn(*args, **kwargs)

    return wrapper


@setup_helper
def company(**kwargs):
    return CompanyFactory(**kwargs)


@setup_helper
def staff_user(relay):
    return UserFactory(role=Role.RELAY_STAFF, relay=relay)


@setup_helper
def consultant(rate: str = "805.00") -> Expert:
    user = UserFactory(role=Role.CONSULTANT)
    return Expert.objects.create(
        user=user, kind=Expert.Kind.CONSULTANT, half_day_rate=Decimal(rate)
    )


@setup_helper
def enrolment_ready_to_sign(*, offer_code: str = "ciblee", company=None, staff=None):
    """An enrolment at `consultant_assigned`, priced with the tariff in force today."""
    company = company or CompanyFactory()
    staff = staff or staff_user(company.relay)
    enrolment = EnrolmentFactory(company=company)
    owner = company.owner
    enrolment_transition(enrolment=enrolment, to=S.SUBMITTED, by=owner)
    enrolment_transition(enrolment=enrolment, to=S.ELIGIBLE)
    enrolment_transition(enrolment=enrolment, to=S.DIAGNOSED)
    offer = Offer.objects.get(code=offer_code)
    enrolment.offer = offer
    enrolment.tariff = tariff_in_force(offer=offer)
    enrolment.save(update_fields=["offer", "tariff"])
    enrolment_transition(enrolment=enrolment, to=S.OFFER_CHOSEN, by=owner)
    enrolment_transition(enrolment=enrolment, to=S.VALIDATED, by=staff)
    enrolment_transition(enrolment=enrolment, to=S.CONSULTANT_ASSIGNED)
    return enrolment


@setup_helper
def sign(enrolment):
    return enrolment_transition(enrolment=enrolment, to=S.AGREEMENT_SIGNED)


@setup_helper
@setup_helper
def signed_enrolment(**kwargs):
    return sign(enrolment_ready_to_sign(**kwargs))


@setup_helper
def close(enrolment, *, staff):
    if enrolment.state == S.AGREEMENT_SIGNED:
        enrolment_transition(enrolment=enrolment, to=S.IN_PROGRESS)
    return enrolment_transition(enrolment=enrolment, to=S.CLOSED, by=staff)


@setup_helper
def withdraw(enrolment, *, staff):
    return enrolment_transition(
        enrolment=enrolment, to=S.WITHDRAWN, by=staff, reason="L'entreprise arrête."
    )


@setup_helper
def log_half_day(enrolment, expert, *, rate: str | None = None, date: str = "2026-03-02"):
    """Publish `mission.halfday_logged` as the consultants app does (payload only)."""
    half_day_id = next(_half_day_ids) + 100000 * (enrolment.pk % 1000)
    return outbox_publish(
        kind="mission.halfday_logged",
        key=f"halfday:{half_day_id}",
        payload={
            "half_day_id": half_day_id,
            "mission_id": None,
            "enrolment_id": enrolment.pk,
            "consultant_id": expert.pk,
            "date": date,
            "rate": rate if rate is not None else str(expert.half_day_rate),
        },
    )
