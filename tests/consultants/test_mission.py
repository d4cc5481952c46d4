import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services
from consultants.models import HalfDay
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from enrolment.models import EnrolmentState

from .factories import ExpertFactory, running_mission, service_story, staff_of

pytestmark = pytest.mark.django_db
S = EnrolmentState
TODAY = dt.date.today


def _log(mission, day, **kw):
    return services.half_day_log(
        mission=mission,
        by=mission.consultant.user,
        date=day,
        subject=kw.get("subject", "Cartographie des flux"),
        attendees="Direction, pilote",
    )


@service_story
def test_first_half_day_starts_the_mission_and_publishes_the_ledger_event():
    mission = running_mission()
    half_day = _log(mission, timezone.localdate())
    mission.enrolment.refresh_from_db()
    assert mission.enrolment.state == S.IN_PROGRESS
    event = OutboxMessage.objects.get(kind="mission.halfday_logged")
    assert event.key == f"halfday:{half_day.pk}"
    assert event.payload == {
        "half_day_id": half_day.pk,
        "mission_id": mission.pk,
        "enrolment_id": mission.enrolment_id,
        "consultant_id": mission.consultant_id,
        "date": timezone.localdate().isoformat(),
        "rate": "805.00",
    }


@service_story
def test_rate_falls_back_to_the_tariff_when_the_consultant_has_none():
    mission = running_mission(consultant=ExpertFactory(half_day_rate=None))
    _log(mission, timezone.localdate())
    event = OutboxMessage.objects.get(kind="mission.halfday_logged")
    expected = mission.enrolment.tariff.consultant_half_day_rate
    assert expected is not None  # the programme-wide rate of the reference tariffs
    assert event.payload["rate"] == str(expected.quantize(Decimal("0.01")))


@service_story
def test_half_day_dates_must_be_within_the_mission_and_not_in_the_future():
    mission = running_mission(started_days_ago=10)
    with pytest.raises(BusinessRuleError, match="précéder le début") as before:
        _log(mission, timezone.localdate() - dt.timedelta(days=11))
    assert before.value.field == "date"
    with pytest.raises(BusinessRuleError, match="futur"):
        _log(mission, timezone.localdate() + dt.timedelta(days=1))
    assert not HalfDay.objects.exists()


@service_story
def test_half_days_beyond_the_offer_need_an_amendment():
    mission = running_mission(started_days_ago=60)
    allowed = mission.enrolment.tariff.half_days
    with zeal_ignore():
        for k in range(allowed):
            _log(mission, timezone.localdate() - dt.timedelta(days=k))
    with pytest.raises(BusinessRuleError, match="avenant"):
        _log(mission, timezone.localdate())
    staff = staff_of(mission.enrolment)
    with pytest.raises(BusinessRuleError, match="motif"):
        services.amendment_record(mission=mission, by=staff, extra_half_days=2, reason="")
    with pytest.raises(BusinessRuleError, match="autorisé"):
        services.amendment_record(
            mission=mission, by=mission.consultant.user, extra_half_days=2, reason="x"
        )
    services.amendment_record(
        mission=mission, by=staff, extra_half_days=1, reason="Arrêt de ligne imprévu"
    )
    _log(mission, timezone.localdate())
    assert mission.half_days.count() == allowed + 1


@service_story
def test_only_the_mission_consultant_logs_half_days():
    mission = running_mission()
    with pytest.raises(BusinessRuleError, match="autorisé"):
        services.half_day_log(
            mission=mission,
            by=ExpertFactory().user,
            date=timezone.localdate(),
            subject="x",
            attendees="y",
        )


@service_story
def test_targeted_mission_has_exactly_one_action_plan():
    mission = running_mission(offer="ciblee")
    user = mission.consultant.user
    services.action_plan_create(mission=mission, by=user, title="Réduire les stocks")
    with pytest.raises(BusinessRuleError, match="un seul plan"):
        services.action_plan_create(mission=mission, by=user, title="Deuxième")
    with pytest.raises(BusinessRuleError, match="enjeux"):
        services.key_issue_create(mission=mission, by=user, title="Enjeu")


@service_story
def test_deep_mission_has_up_to_three_key_issues_each_with_plans():
    mission = running_mission(offer="approfondie")
    user = mission.consultant.user
    with pytest.raises(BusinessRuleError, match="enjeux clés"):
        services.action_plan_create(mission=mission, by=user, title="Sans enjeu")
    with zeal_ignore():
        issues = [
            services.key_issue_create(mission=mission, by=user, title=f"Enjeu {i}")
            for i in range(3)
        ]
        with pytest.raises(BusinessRuleError, match="3 enjeux clés au plus"):
            services.key_issue_create(mission=mission, by=user, title="Quatrième")
        for issue in issues:
            services.action_plan_create(mission=mission, by=user, title="P", key_issue=issue)
        services.action_plan_create(mission=mission, by=user, title="P2", key_issue=issues[0])
    assert issues[0].action_plans.count() == 2


@service_story
def test_actions_are_owned_by_a_pilot_of_the_company_and_measurements_need_a_value():
    mission = running_mission()
    other = running_mission()
    user = mission.consultant.user
    plan = services.action_plan_create(mission=mission, by=user, title="Plan")
    pilot = mission.enrolment.pilots.first()
    with pytest.raises(BusinessRuleError, match="pilote"):
        services.action_create(
            plan=plan, by=user, title="A", owner=other.enrolment.pilots.first(), due_date=TODAY()
        )
    action = services.action_create(plan=plan, by=user, title="A", owner=pilot, due_date=TODAY())
    services.action_set_status(action=action, by=user, status="done")
    indicator = services.indicator_create(
        plan=plan, by=user, name="Stock", unit="k€", baseline=Decimal("400"), target=Decimal("300")
    )
    with pytest.raises(BusinessRuleError, match="valeur") as exc:
        services.measurement_record(indicator=indicator, by=user, date=TODAY(), value=None)
    assert exc.value.field == "value"
    services.measurement_record(indicator=indicator, by=user, date=TODAY(), value=Decimal("350"))
    assert indicator.measurements.get().value == Decimal("350.00")


@service_story
def test_closing_needs_the_summary_then_relay_staff_close():
    mission = running_mission()
    _log(mission, timezone.localdate())
    staff = staff_of(mission.enrolment)
    with pytest.raises(BusinessRuleError, match="synthèse"):
        services.mission_close(mission=mission, by=staff)
    services.mission_write_summary(
        mission=mission, by=mission.consultant.user, summary="Stocks réduits de 25 %."
    )
    with pytest.raises(BusinessRuleError, match="autorisé"):
        services.mission_close(mission=mission, by=mission.consultant.user)
    services.mission_close(mission=mission, by=staff)
    mission.refresh_from_db()
    mission.enrolment.refresh_from_db()
    assert mission.closed_at is not None
    assert mission.enrolment.state == S.CLOSED
    event = OutboxMessage.objects.get(kind="mission.closed")
    assert event.key == f"mission:{mission.pk}:closed"
    assert event.payload == {"mission_id": mission.pk, "enrolment_id": mission.enrolment_id}
    with pytest.raises(BusinessRuleError, match="clôturée"):
        _log(mission, timezone.localdate())
