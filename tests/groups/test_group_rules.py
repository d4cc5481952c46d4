"""Territorial groups: opening threshold, cap (also under concurrency), rolling entry and exit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add, groups_for_user
from collective.models import GroupMembership, GroupWaitlistEntry, TerritorialGroup
from core.exceptions import BusinessRuleError
from core.models import Departement, Relay
from enrolment.models import EnrolmentState
from enrolment.services import enrolment_transition
from tests.factories import UserFactory

from .factories import enrolment_at, staff_of

S = EnrolmentState


@pytest.fixture
def staff(db):
    return staff_of("afpi")


@pytest.fixture
def group(staff):
    return group_create(
        relay=Relay.objects.get(slug="afpi"),
        departement=Departement.objects.get(code="69"),
        name="Groupe Lyon Est",
        by=staff,
    )


def _members(n: int, staff, state=S.IN_PROGRESS):
    with zeal_ignore():
        return [enrolment_at(state, staff=staff) for _ in range(n)]


def _add(group, enrolments, staff):
    """Set-up: several adds in a row (the repeated query is the loop's, not a page's)."""
    with zeal_ignore():
        for enrolment in enrolments:
            group_member_add(group=group, enrolment=enrolment, by=staff)


def _status(group, user):
    with zeal_ignore():  # asked repeatedly by the test, not by a page
        return groups_for_user(user=user).get(pk=group.pk).status


@pytest.mark.django_db
def test_group_below_four_is_not_started_and_opens_with_the_fourth(group, staff):
    first, second, third, fourth = _members(4, staff)
    _add(group, [first, second, third], staff)
    assert _status(group, staff) == TerritorialGroup.Status.NOT_STARTED

    group_member_add(group=group, enrolment=fourth, by=staff)
    assert _status(group, staff) == TerritorialGroup.Status.RUNNING


@pytest.mark.django_db
def test_group_bounds_are_configurable(group, staff, settings):
    settings.GROUP_MIN_COMPANIES = 2
    settings.GROUP_MAX_COMPANIES = 3
    members = _members(4, staff)
    _add(group, members[:2], staff)
    assert _status(group, staff) == TerritorialGroup.Status.RUNNING
    _add(group, members[2:3], staff)
    assert _status(group, staff) == TerritorialGroup.Status.FULL
    with pytest.raises(BusinessRuleError, match="maximum 3"):
        group_member_add(group=group, enrolment=members[3], by=staff)


@pytest.mark.django_db
def test_the_eleventh_company_is_refused_with_a_clear_message(group, staff, client):
    members = _members(11, staff)
    with zeal_ignore():
        for enrolment in members[:10]:
            group_member_add(group=group, enrolment=enrolment, by=staff)
    assert _status(group, staff) == TerritorialGroup.Status.FULL

    client.force_login(staff)
    response = client.post(
        reverse("collective:group_member_add", args=[group.pk]),
        {"enrolment": members[10].pk},
        follow=True,
    )
    page = response.content.decode()
    assert "Le groupe « Groupe Lyon Est » est complet" in page
    assert "maximum 10" in page
    assert GroupMembership.objects.filter(group=group, left_at__isnull=True).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_when_staff_add_at_the_same_moment():
    """Eight members, four staff add four companies at once: two get in, two are refused."""
    staff = staff_of("afpi")
    group = group_create(
        relay=Relay.objects.get(slug="afpi"),
        departement=Departement.objects.get(code="69"),
        name="Groupe concurrent",
        by=staff,
    )
    with zeal_ignore():
        members = [enrolment_at(S.IN_PROGRESS, staff=staff) for _ in range(12)]
        for enrolment in members[:8]:
            group_member_add(group=group, enrolment=enrolment, by=staff)
    barrier = threading.Barrier(4)
    results: list[str] = []
    lock = threading.Lock()

    def add(enrolment):
        try:
            barrier.wait()
            group_member_add(group=group, enrolment=enrolment, by=staff)
            outcome = "ok"
        except BusinessRuleError as exc:
            outcome = exc.message
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=add, args=(e,)) for e in members[8:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results.count("ok") == 2
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 2
    assert all("est complet" in r and "maximum 10" in r for r in refusals)
    assert GroupMembership.objects.filter(group=group, left_at__isnull=True).count() == 10


@pytest.mark.django_db
def test_a_newly_validated_company_is_proposed_a_running_group_and_joins_it(group, staff):
    _add(group, _members(5, staff), staff)
    assert _status(group, staff) == TerritorialGroup.Status.RUNNING

    with zeal_ignore():
        newcomer = enrolment_at(S.VALIDATED, staff=staff)
    entry = GroupWaitlistEntry.objects.get(enrolment=newcomer, resolved_at__isnull=True)
    assert entry.proposed_group == group

    group_member_add(group=group, enrolment=newcomer, by=staff)
    entry.refresh_from_db()
    assert entry.resolved_at is not None
    assert GroupMembership.objects.filter(group=group, left_at__isnull=True).count() == 6


@pytest.mark.django_db
def test_the_proposal_stays_in_the_same_relay_and_territory(group, staff):
    with zeal_ignore():
        annecy = enrolment_at(S.VALIDATED, departement="74")
    entry = GroupWaitlistEntry.objects.get(enrolment=annecy)
    assert entry.proposed_group is None  # no group of Thésame in 74: waiting list


@pytest.mark.django_db
def test_waiting_list_when_no_group_has_room(group, staff, client):
    with zeal_ignore():
        for enrolment in _members(10, staff):
            group_member_add(group=group, enrolment=enrolment, by=staff)
        waiting = enrolment_at(S.VALIDATED, staff=staff, name="Attente Mécanique")
    entry = GroupWaitlistEntry.objects.get(enrolment=waiting, resolved_at__isnull=True)
    assert entry.proposed_group is None

    client.force_login(staff)
    page = client.get(reverse("collective:group_list")).content.decode()
    assert "Attente Mécanique" in page
    assert "aucun groupe avec de la place" in page
    detail = client.get(reverse("collective:group_detail", args=[group.pk])).content.decode()
    assert "Attente Mécanique" in detail
    assert "Le groupe est complet." in detail


@pytest.mark.django_db
@pytest.mark.parametrize("end", [S.CLOSED, S.WITHDRAWN])
def test_a_company_leaves_its_group_at_closing_or_withdrawal_and_history_is_kept(group, staff, end):
    members = _members(4, staff)
    _add(group, members, staff)
    leaving = members[0]

    if end == S.CLOSED:
        enrolment_transition(enrolment=leaving, to=S.CLOSED, by=staff)
        reason = "Mission clôturée"
    else:
        enrolment_transition(enrolment=leaving, to=S.WITHDRAWN, by=staff, reason="Rachat")
        reason = "Abandon du programme"

    membership = GroupMembership.objects.get(group=group, enrolment=leaving)
    assert membership.left_at is not None
    assert membership.left_reason == reason
    assert GroupMembership.objects.filter(group=group, left_at__isnull=True).count() == 3
    assert _status(group, staff) == TerritorialGroup.Status.NOT_STARTED


@pytest.mark.django_db
def test_only_validated_or_later_enrolments_of_the_relay_may_join(group, staff):
    with zeal_ignore():
        not_validated = enrolment_at(S.OFFER_CHOSEN, staff=staff)
        other_relay = enrolment_at(S.IN_PROGRESS, departement="74")
    with pytest.raises(BusinessRuleError, match="validée par le relais"):
        group_member_add(group=group, enrolment=not_validated, by=staff)
    with zeal_ignore(), pytest.raises(BusinessRuleError, match="n'est pas rattachée"):
        group_member_add(group=group, enrolment=other_relay, by=staff)


@pytest.mark.django_db
def test_a_company_is_in_one_group_at_a_time(group, staff):
    other = group_create(
        relay=group.relay, departement=group.departement, name="Groupe Lyon Ouest", by=staff
    )
    (enrolment,) = _members(1, staff)
    _add(group, [enrolment], staff)
    with pytest.raises(BusinessRuleError, match="fait déjà partie du groupe"):
        group_member_add(group=other, enrolment=enrolment, by=staff)


@pytest.mark.django_db
def test_staff_of_another_relay_get_404_and_region_may_not_change(group, staff, client):
    client.force_login(staff_of("thesame"))
    assert client.get(reverse("collective:group_detail", args=[group.pk])).status_code == 404

    region = UserFactory(region=True)
    client.force_login(region)
    assert client.get(reverse("collective:group_detail", args=[group.pk])).status_code == 200
    (enrolment,) = _members(1, staff)
    response = client.post(
        reverse("collective:group_member_add", args=[group.pk]), {"enrolment": enrolment.pk}
    )
    assert response.status_code == 403
    assert not GroupMembership.objects.filter(group=group).exists()

    client.force_login(enrolment.company.owner)
    assert client.get(reverse("collective:group_list")).status_code == 403


@pytest.mark.django_db
def test_staff_remove_a_company_with_a_reason(group, staff, client):
    (enrolment,) = _members(1, staff)
    membership = group_member_add(group=group, enrolment=enrolment, by=staff)
    client.force_login(staff)
    url = reverse("collective:group_member_remove", args=[group.pk, membership.pk])
    client.post(url, {"reason": ""})
    membership.refresh_from_db()
    assert membership.left_at is None
    client.post(url, {"reason": "Déménagement hors territoire"})
    membership.refresh_from_db()
    assert membership.left_reason == "Déménagement hors territoire"
    # its mission goes on: back on the waiting list, the group it left is not proposed again
    entry = GroupWaitlistEntry.objects.get(enrolment=enrolment, resolved_at__isnull=True)
    assert entry.proposed_group is None


@pytest.mark.django_db
def test_group_pages_issue_the_same_number_of_queries_for_few_and_many_members(
    group, staff, client
):
    client.force_login(staff)
    members = _members(8, staff)
    with zeal_ignore():
        for enrolment in members[:2]:
            group_member_add(group=group, enrolment=enrolment, by=staff)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    detail = reverse("collective:group_detail", args=[group.pk])
    listing = reverse("collective:group_list")
    few = (count(detail), count(listing))
    with zeal_ignore():
        for enrolment in members[2:]:
            group_member_add(group=group, enrolment=enrolment, by=staff)
        group_create(relay=group.relay, departement=group.departement, name="Autre", by=staff)
    assert (count(detail), count(listing)) == few
