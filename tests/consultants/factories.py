"""Factories and helpers for the pool and missions (set-up goes through the services)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services
from consultants.models import Expert, Mission
from core.models import Departement, User
from core.roles import Role
from diagnostics.models import Theme
from enrolment.models import Enrolment, EnrolmentState
from tests.builders import advance, enrolment_at
from tests.factories import CompanyFactory, UserFactory

S = EnrolmentState


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.CONSULTANT)
    kind = Expert.Kind.CONSULTANT
    firm = "Cabinet de test"
    capacity = 4
    accreditation = Expert.Accreditation.ACTIVE
    half_day_rate = Decimal("805.00")

    @classmethod
    def create(cls, **kwargs):
        with zeal_ignore():  # set-up: the user get_or_create is not a page's N+1
            return super().create(**kwargs)

    @factory.post_generation
    def specialties(self, create, extracted, **kwargs):
        if extracted:
            self.specialties.set(Theme.objects.filter(code__in=extracted))

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if extracted:
            self.departements.set(Departement.objects.filter(code__in=extracted))


def director() -> User:
    with zeal_ignore():
        return UserFactory(director=True)


def staff_of(enrolment: Enrolment) -> User:
    with zeal_ignore():
        return UserFactory(role=Role.RELAY_STAFF, relay=enrolment.company.relay)


def validated_enrolment(
    *, offer: str = "ciblee", theme: str | None = "stocks", dep: str = "69"
) -> Enrolment:
    """An enrolment brought to `validated` the way the product does it."""
    with zeal_ignore():  # set-up, not a page
        return _validated_enrolment(offer=offer, theme=theme, dep=dep)


def _validated_enrolment(*, offer: str, theme: str | None, dep: str) -> Enrolment:
    company = CompanyFactory(
        departement=Departement.objects.get(code=dep), turnover=Decimal("3000000.00")
    )
    return enrolment_at(
        S.VALIDATED, company=company, offer=offer, theme=theme, staff=staff_of_company(company)
    )


def staff_of_company(company) -> User:
    return UserFactory(role=Role.RELAY_STAFF, relay=company.relay)


def running_mission(
    *, consultant: Expert | None = None, offer: str = "ciblee", started_days_ago: int = 30
) -> Mission:
    """A mission assigned, accepted and with a signed agreement, started some days ago."""
    with zeal_ignore():
        return _running_mission(
            consultant=consultant, offer=offer, started_days_ago=started_days_ago
        )


def _running_mission(*, consultant, offer, started_days_ago) -> Mission:
    enrolment = validated_enrolment(offer=offer)
    consultant = consultant or ExpertFactory()
    assignment = services.consultant_assign(
        enrolment=enrolment, consultant=consultant, by=director()
    )
    mission = services.assignment_accept(assignment=assignment, by=consultant.user)
    start = timezone.localdate() - dt.timedelta(days=started_days_ago)
    Mission.objects.filter(pk=mission.pk).update(
        start_date=start, planned_end_date=start + relativedelta(months=4)
    )
    advance(enrolment, S.AGREEMENT_SIGNED)
    return Mission.objects.select_related("enrolment", "consultant__user").get(pk=mission.pk)


def service_story(test):
    """A test that calls several services in a row (each call fetches its rows with .get()):
    zeal's N+1 detection is meant for pages, which the page tests cover."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        with zeal_ignore():
            return test(*args, **kwargs)

    return wrapper
