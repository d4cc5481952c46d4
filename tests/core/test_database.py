"""Rules the database itself enforces, on the production engine."""

import pytest
from django.db import IntegrityError, connection, transaction

from core.models import Relay, User
from core.roles import Role
from enrolment import actions
from enrolment.models import Enrolment, EnrolmentState
from tests.factories import CompanyFactory, EnrolmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_one_open_enrolment_per_establishment():
    company = CompanyFactory()
    EnrolmentFactory(company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(company=company)


def test_a_withdrawn_enrolment_lets_the_company_enrol_again():
    company = CompanyFactory()
    first = EnrolmentFactory(company=company)
    actions.withdraw(enrolment=first, by=company.owner, reason="Pas le moment.")
    again = Enrolment.objects.create(company=company)
    assert again.state == EnrolmentState.DRAFT
    assert company.enrolments.count() == 2


def test_relay_staff_must_belong_to_a_relay():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="sans-relais@test.example", role=Role.RELAY_STAFF)
    User.objects.create(
        email="avec-relais@test.example", role=Role.RELAY_STAFF, relay=Relay.objects.first()
    )
