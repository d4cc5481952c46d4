"""Every allowed transition of the table succeeds for its roles; every other one is refused."""

import itertools

import pytest

from core.exceptions import BusinessRuleError
from core.models import TimelineEvent
from core.roles import Role
from enrolment.models import SYSTEM, TRANSITIONS, Enrolment, EnrolmentState
from enrolment.services import enrolment_transition
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role if r != Role.ADMIN] + [SYSTEM]
ALLOWED = sorted((frm, to, role) for (frm, to), roles in TRANSITIONS.items() for role in roles)
REFUSED_BY_ROLE = sorted(
    (frm, to, role)
    for (frm, to), roles in TRANSITIONS.items()
    for role in ROLES
    if role not in roles
)
NOT_IN_TABLE = sorted(
    (frm.value, to.value)
    for frm, to in itertools.product(EnrolmentState, EnrolmentState)
    if (frm, to) not in TRANSITIONS
)


def _actor(role):
    if role == SYSTEM:
        return None
    if role == Role.RELAY_STAFF:
        return UserFactory(staff=True)
    if role == Role.ADMIN:
        return UserFactory(admin=True)
    return UserFactory(role=role)


def _enrolment_in(state):
    return EnrolmentFactory(state=state)


@pytest.mark.parametrize(("frm", "to", "role"), ALLOWED)
def test_allowed_transition(frm, to, role):
    enrolment = _enrolment_in(frm)
    version = enrolment.version
    enrolment_transition(enrolment=enrolment, to=to, by=_actor(role), reason="motif écrit")
    assert enrolment.state == to
    assert enrolment.version == version + 1
    event = TimelineEvent.objects.get(object_id=enrolment.pk, verb="transition")
    assert (event.from_state, event.to_state) == (frm, to)


@pytest.mark.parametrize(("frm", "to", "role"), REFUSED_BY_ROLE)
def test_role_not_allowed_is_refused(frm, to, role):
    enrolment = _enrolment_in(frm)
    with pytest.raises(BusinessRuleError, match="pas autorisé"):
        enrolment_transition(enrolment=enrolment, to=to, by=_actor(role), reason="motif")
    assert Enrolment.objects.get(pk=enrolment.pk).state == frm


@pytest.mark.parametrize(("frm", "to"), NOT_IN_TABLE)
def test_transition_not_in_the_table_is_refused_in_french(frm, to):
    enrolment = _enrolment_in(frm)
    with pytest.raises(BusinessRuleError, match="Impossible de passer de l'état"):
        enrolment_transition(enrolment=enrolment, to=to, by=_actor(Role.DIRECTOR), reason="x")
    assert Enrolment.objects.get(pk=enrolment.pk).state == frm


def test_withdrawal_needs_a_reason_and_the_company_may_enrol_again():
    enrolment = _enrolment_in(EnrolmentState.DIAGNOSED)
    owner = enrolment.company.owner
    with pytest.raises(BusinessRuleError, match="motif"):
        enrolment_transition(enrolment=enrolment, to=EnrolmentState.WITHDRAWN, by=owner)
    enrolment_transition(
        enrolment=enrolment, to=EnrolmentState.WITHDRAWN, by=owner, reason="Pas le moment"
    )
    again = EnrolmentFactory(company=enrolment.company)
    assert again.state == EnrolmentState.DRAFT
    assert enrolment.company.enrolments.count() == 2
