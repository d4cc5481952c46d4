import pytest
from dateutil.relativedelta import relativedelta
from zeal import zeal_ignore

from consultants import services
from consultants.models import Assignment, Expert, Mission
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from enrolment.models import EnrolmentState
from tests.factories import UserFactory

from .factories import ExpertFactory, director, staff_of, validated_enrolment

pytestmark = pytest.mark.django_db
S = EnrolmentState


def test_assign_then_accept_moves_the_enrolment_and_publishes_the_event():
    enrolment = validated_enrolment()
    consultant = ExpertFactory()
    assignment = services.consultant_assign(
        enrolment=enrolment, consultant=consultant, by=director()
    )
    enrolment.refresh_from_db()
    assert enrolment.state == S.VALIDATED  # waits for the consultant's answer
    mission = services.assignment_accept(assignment=assignment, by=consultant.user)
    enrolment.refresh_from_db()
    assert enrolment.state == S.CONSULTANT_ASSIGNED
    assert mission.consultant == consultant
    assert mission.start_date is not None
    assert mission.planned_end_date == mission.start_date + relativedelta(months=4)
    event = OutboxMessage.objects.get(kind="mission.consultant_accepted")
    assert event.key == f"assignment:{assignment.pk}:accepted"
    assert event.payload == {
        "mission_id": mission.pk,
        "enrolment_id": enrolment.pk,
        "consultant_id": consultant.pk,
    }


def test_decline_returns_the_enrolment_to_the_queue_and_keeps_history():
    enrolment = validated_enrolment()
    first, second = ExpertFactory(), ExpertFactory()
    boss = director()
    proposal = services.consultant_assign(enrolment=enrolment, consultant=first, by=boss)
    with pytest.raises(BusinessRuleError, match="motif"):
        services.assignment_decline(assignment=proposal, by=first.user, reason=" ")
    services.assignment_decline(assignment=proposal, by=first.user, reason="Trop loin")
    assert services.consultant_load(expert=first) == 0  # the slot is free again
    enrolment.refresh_from_db()
    assert enrolment.state == S.VALIDATED
    with zeal_ignore():  # the same services called twice in one test body, not a loop
        second_proposal = services.consultant_assign(
            enrolment=enrolment, consultant=second, by=boss
        )
        services.assignment_accept(assignment=second_proposal, by=second.user)
    history = list(
        Assignment.objects.filter(mission__enrolment=enrolment).order_by("proposed_at", "pk")
    )
    assert [(a.consultant_id, a.status) for a in history] == [
        (first.pk, Assignment.Status.DECLINED),
        (second.pk, Assignment.Status.ACCEPTED),
    ]
    assert history[0].reason == "Trop loin"


def test_a_pending_proposal_reserves_a_slot():
    consultant = ExpertFactory(capacity=1)
    boss = director()
    with zeal_ignore():
        services.consultant_assign(enrolment=validated_enrolment(), consultant=consultant, by=boss)
    with pytest.raises(BusinessRuleError, match="capacité"):
        services.consultant_assign(enrolment=validated_enrolment(), consultant=consultant, by=boss)


@pytest.mark.parametrize(
    "status", [Expert.Accreditation.SUSPENDED, Expert.Accreditation.LEFT, "trained"]
)
def test_a_consultant_who_is_not_active_is_refused(status):
    consultant = ExpertFactory(accreditation=status)
    enrolment = validated_enrolment()
    with pytest.raises(BusinessRuleError, match="habilitation"):
        services.consultant_assign(enrolment=enrolment, consultant=consultant, by=director())
    assert not Mission.objects.filter(enrolment=enrolment).exists()


def test_a_declared_conflict_of_interest_is_refused():
    consultant = ExpertFactory()
    enrolment = validated_enrolment()
    boss = director()
    services.conflict_declare(
        expert=consultant, company=enrolment.company, reason="Ancien salarié", by=boss
    )
    with pytest.raises(BusinessRuleError, match="conflit"):
        services.consultant_assign(enrolment=enrolment, consultant=consultant, by=boss)


def test_only_the_director_assigns_unless_delegated(settings):
    enrolment = validated_enrolment()
    staff = staff_of(enrolment)
    with pytest.raises(BusinessRuleError, match="autorisé"):
        services.consultant_assign(enrolment=enrolment, consultant=ExpertFactory(), by=staff)
    settings.CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS = True
    with zeal_ignore():
        services.consultant_assign(enrolment=enrolment, consultant=ExpertFactory(), by=staff)
    other_relay = UserFactory(staff=True)  # Afpi staff
    if other_relay.relay_id != enrolment.company.relay_id:
        assert not services.can_assign(user=other_relay, enrolment=enrolment)


def test_only_the_proposed_consultant_answers():
    enrolment = validated_enrolment()
    consultant = ExpertFactory()
    proposal = services.consultant_assign(enrolment=enrolment, consultant=consultant, by=director())
    with pytest.raises(BusinessRuleError, match="autorisé"):
        services.assignment_accept(assignment=proposal, by=ExpertFactory().user)


def test_replacing_the_consultant_of_a_running_mission_keeps_the_history():
    from .factories import running_mission, service_story

    @service_story
    def story():
        mission = running_mission()
        first = mission.consultant
        replacement = ExpertFactory()
        boss = director()
        with pytest.raises(BusinessRuleError, match="conduit déjà"):
            services.consultant_assign(enrolment=mission.enrolment, consultant=first, by=boss)
        proposal = services.consultant_assign(
            enrolment=mission.enrolment, consultant=replacement, by=boss
        )
        mission.refresh_from_db()
        assert mission.consultant == first  # until the replacement accepts
        services.assignment_accept(assignment=proposal, by=replacement.user)
        mission.refresh_from_db()
        mission.enrolment.refresh_from_db()
        assert mission.consultant == replacement
        assert mission.enrolment.state == S.AGREEMENT_SIGNED  # unchanged
        assert services.consultant_load(expert=first) == 0
        statuses = dict(
            Assignment.objects.filter(mission=mission).values_list("consultant_id", "status")
        )
        assert statuses == {
            first.pk: Assignment.Status.REPLACED,
            replacement.pk: Assignment.Status.ACCEPTED,
        }

    story()
