"""Follow-up after closing: scheduled at 6/12/36 months, answered through a signed link."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective.followups import followup_token, followups_send_due
from collective.models import FollowUp
from enrolment.models import EnrolmentState
from tests.groups.factories import enrolment_at, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(db):
    with zeal_ignore():
        a = enrolment_at(S.CLOSED, name="Usinage Alpha")
        b = enrolment_at(S.CLOSED, name="Forge Bêta")
    return a, b


def _url(followup, token=None):
    token = token or followup_token(followup=followup)
    return reverse("collective:followup_answer", kwargs={"pk": followup.pk, "token": token})


def _at(day: dt.date):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))), tick=False
    )


def test_closing_schedules_follow_ups_at_6_12_and_36_months(closed):
    enrolment, _ = closed
    closed_on = timezone.localtime(enrolment.closed_at).date()
    rows = FollowUp.objects.filter(enrolment=enrolment).order_by("due_months")
    assert [(f.due_months, f.due_on) for f in rows] == [
        (6, closed_on + relativedelta(months=6)),
        (12, closed_on + relativedelta(months=12)),
        (36, closed_on + relativedelta(months=36)),
    ]


def test_a_mission_closed_on_the_31st_is_followed_up_on_the_last_day_of_shorter_months(db):
    with _at(dt.date(2007, 8, 31)), zeal_ignore():
        enrolment = enrolment_at(S.CLOSED, name="Usinage Gamma")
    due = dict(FollowUp.objects.filter(enrolment=enrolment).values_list("due_months", "due_on"))
    assert due == {6: dt.date(2008, 2, 29), 12: dt.date(2008, 8, 31), 36: dt.date(2010, 8, 31)}


def test_the_link_works_without_login_once_due_and_records_the_answer(closed, client):
    enrolment, other = closed
    followup = FollowUp.objects.get(enrolment=enrolment, due_months=6)
    with _at(followup.due_on):
        url = _url(followup)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Usinage Alpha" in html
        assert "Forge Bêta" not in html
        assert "poursuit-elle sa démarche" in html

        response = client.post(
            url,
            {
                "still_running": "1",
                "indicators_tracked": "Taux de service, encours",
                "latest_values": "Taux de service 96 % (mars)",
            },
        )
        assert response.status_code == 200
        assert "Merci pour votre réponse" in response.content.decode()
    followup.refresh_from_db()
    assert followup.answered_at is not None
    assert followup.still_running is True
    assert followup.indicators_tracked == "Taux de service, encours"
    # nothing else changed: the other company's follow-up is untouched
    assert not FollowUp.objects.filter(enrolment=other, answered_at__isnull=False).exists()


def test_a_missing_answer_is_refused_at_the_field_and_typed_text_is_kept(closed, client):
    followup = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    with _at(followup.due_on):
        response = client.post(_url(followup), {"latest_values": "OTD 92 %"})
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert "OTD 92 %" in html
    followup.refresh_from_db()
    assert followup.answered_at is None


def test_the_link_is_refused_before_the_follow_up_is_due(closed, client):
    followup = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    with _at(followup.due_on - dt.timedelta(days=1)):
        response = client.get(_url(followup))
    assert response.status_code == 409
    html = response.content.decode()
    assert "pas encore ouvert" in html
    assert followup.due_on.strftime("%d/%m/%Y") in html


def test_the_link_is_refused_after_it_expires(closed, client, settings):
    followup = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    with _at(followup.due_on):
        token = followup_token(followup=followup)
    max_age = settings.FOLLOW_UP_LINK_MAX_AGE_DAYS
    with _at(followup.due_on + dt.timedelta(days=max_age - 1)):
        assert client.get(_url(followup, token)).status_code == 200
    with _at(followup.due_on + dt.timedelta(days=max_age + 1)):
        response = client.get(_url(followup, token))
    assert response.status_code == 403
    assert "Ce lien de suivi a expiré" in response.content.decode()


def test_a_tampered_link_gets_a_clear_refusal(closed, client):
    followup = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    with _at(followup.due_on):
        token = followup_token(followup=followup)
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        response = client.get(_url(followup, tampered))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ce lien de suivi n&#x27;est pas valide" in html
    assert 'data-reason="tampered"' in html


def test_a_link_only_opens_its_own_company_follow_up(closed, client):
    mine = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    theirs = FollowUp.objects.get(enrolment=closed[1], due_months=6)
    with _at(max(mine.due_on, theirs.due_on)):
        token = followup_token(followup=mine)
        response = client.get(_url(theirs, token))
        assert response.status_code == 403
        assert "il ne vaut que pour votre entreprise" in response.content.decode()
        response = client.post(_url(theirs, token), {"still_running": "0"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.answered_at is None


def test_an_answered_follow_up_cannot_be_answered_twice(closed, client):
    followup = FollowUp.objects.get(enrolment=closed[0], due_months=6)
    with _at(followup.due_on):
        url = _url(followup)
        client.post(url, {"still_running": "1"})
        client.post(url, {"still_running": "0"})
    followup.refresh_from_db()
    assert followup.still_running is True


def test_due_links_are_e_mailed_once_to_the_owner(closed, client):
    enrolment, _ = closed
    followup = FollowUp.objects.get(enrolment=enrolment, due_months=6)
    with _at(followup.due_on), zeal_ignore():
        assert followups_send_due() == 2  # the 6-month follow-up of both companies
        assert followups_send_due() == 0
    message = next(m for m in mail.outbox if enrolment.company.owner.email in m.to)
    assert "Usinage Alpha" in message.body
    link = next(line for line in message.body.splitlines() if "/suivi/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    with _at(followup.due_on + dt.timedelta(days=2)):
        assert client.get("/" + path).status_code == 200


def _followup_table(response) -> str:
    page = response.content.decode()
    return page[page.index('id="followups"') : page.index("</table>", page.index('id="followups"'))]


def test_the_relay_sees_who_has_not_answered(closed, client, settings):
    enrolment, other = closed
    answered = FollowUp.objects.get(enrolment=enrolment, due_months=6)
    late = FollowUp.objects.get(enrolment=other, due_months=6)
    day = late.due_on + dt.timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS + 5)
    with _at(answered.due_on):
        client.post(_url(answered), {"still_running": "1"})
    staff = staff_of("afpi")
    with _at(day):
        client.force_login(staff)
        overdue = client.get(reverse("collective:followup_list") + "?etat=overdue")
        answered_page = client.get(reverse("collective:followup_list") + "?etat=answered")
    # the follow-ups' table (the page also lists satisfaction surveys still unanswered)
    overdue_rows = _followup_table(overdue)
    assert "Forge Bêta" in overdue_rows
    assert "Usinage Alpha" not in overdue_rows
    assert "Usinage Alpha" in _followup_table(answered_page)

    client.force_login(staff_of("thesame"))
    assert "Forge Bêta" not in client.get(reverse("collective:followup_list")).content.decode()


def test_the_follow_up_list_issues_the_same_number_of_queries_for_few_and_many(closed, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_of("afpi"))
    url = reverse("collective:followup_list")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    with zeal_ignore():
        for _ in range(3):
            enrolment_at(S.CLOSED)
    assert FollowUp.objects.count() == 15
    assert count() == few
