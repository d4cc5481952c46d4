"""The owner's satisfaction questionnaire at closing and the consultants' outcome figures."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from collective import satisfaction as svc
from collective.followups import followup_answer
from collective.models import FollowUp, SatisfactionSurvey
from consultants.models import ActionPlan, Indicator, Measurement, Mission
from consultants.outcomes import outcomes_for
from core.models import OutboxMessage, TimelineEvent
from core.personal_data import person_anonymise, person_find, personal_data_collect
from enrolment.models import EnrolmentState
from tests.builders import a_consultant, enrolment_at
from tests.factories import UserFactory
from tests.groups.factories import company_in, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db

ANSWER = {
    "score_listening": "5",
    "score_competence": "4",
    "score_method": "4",
    "score_results": "3",
    "score_programme": "4",
    "would_recommend": "1",
    "comment": "Très bonne écoute, merci à Jeanne Dupont.",
}


def _closed(consultant=None, *, months_ago: int = 0, departement: str = "69", offer="ciblee"):
    """A mission of `consultant` closed `months_ago` months ago (through the services)."""
    moment = timezone.now() - relativedelta(months=months_ago)
    with zeal_ignore(), time_machine.travel(moment, tick=False):
        consultant = consultant or a_consultant()
        enrolment = enrolment_at(
            S.CLOSED, company=company_in(departement), consultant=consultant, offer=offer
        )
        return Mission.objects.get(enrolment=enrolment)


def _send(mission) -> SatisfactionSurvey:
    """What the outbox worker does after the closing: e-mail the link."""
    with zeal_ignore():  # called twice on purpose (idempotence)
        message = OutboxMessage.objects.get(key=f"mission:{mission.pk}:closed")
        svc.on_mission_closed_send(message)
        return SatisfactionSurvey.objects.get(mission=mission)


# --- the signed link ------------------------------------------------------------------------


def test_closing_creates_the_questionnaire_and_mails_a_french_link_that_works_once(client):
    mission = _closed()
    survey = SatisfactionSurvey.objects.get(mission=mission)  # made with the closing
    assert survey.sent_at is None and survey.answered_at is None
    mail.outbox.clear()
    _send(mission)
    _send(mission)  # the handler is idempotent: one e-mail
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mission.enrolment.company.owner.email]
    assert "votre avis" in message.subject
    assert "ne sert qu'une fois" in message.body
    path = message.body.split("http://")[1].split()[0]
    url = path[path.index("/") :]

    page = client.get(url)
    assert page.status_code == 200 and "Envoyer mon avis" in page.content.decode()
    answered = client.post(url, ANSWER)
    assert answered.status_code == 200 and 'id="satisfaction-thanks"' in answered.content.decode()
    survey.refresh_from_db()
    assert (survey.score_listening, survey.score_results, survey.score_programme) == (5, 3, 4)
    assert survey.would_recommend is True and survey.comment.startswith("Très bonne écoute")

    again = client.get(url)
    assert again.status_code == 409
    assert "a déjà reçu une réponse" in again.content.decode()
    replay = client.post(url, {**ANSWER, "score_listening": "1", "comment": "Autre"})
    assert replay.status_code == 409
    survey.refresh_from_db()
    assert survey.score_listening == 5 and "Autre" not in survey.comment


def test_tampered_expired_and_foreign_links_are_refused_in_french(client, settings):
    settings.SATISFACTION_LINK_MAX_AGE_DAYS = 60
    with zeal_ignore():
        survey = SatisfactionSurvey.objects.get(mission=_closed())
        other = SatisfactionSurvey.objects.get(mission=_closed())
    token = svc.survey_token(survey=survey)
    url = reverse("collective:satisfaction_answer", args=[survey.pk, token])

    tampered = client.get(
        reverse("collective:satisfaction_answer", args=[survey.pk, token[:-2] + "xx"])
    )
    assert tampered.status_code == 403
    assert "n'est pas valide : il a été modifié" in html.unescape(tampered.content.decode())

    foreign = client.get(reverse("collective:satisfaction_answer", args=[other.pk, token]))
    assert foreign.status_code == 403
    assert "ne correspond pas à ce questionnaire" in foreign.content.decode()

    with time_machine.travel(timezone.now() + dt.timedelta(days=61)):
        expired = client.get(url)
        posted = client.post(url, ANSWER)
    assert expired.status_code == 403 and "a expiré" in expired.content.decode()
    assert posted.status_code == 403
    survey.refresh_from_db()
    assert survey.answered_at is None
    assert client.get(url).status_code == 200  # still valid on day one


def test_scores_outside_one_to_five_are_refused(client):
    survey = SatisfactionSurvey.objects.get(mission=_closed())
    url = reverse(
        "collective:satisfaction_answer", args=[survey.pk, svc.survey_token(survey=survey)]
    )
    response = client.post(url, {**ANSWER, "score_method": "6"})
    assert (
        response.status_code == 200 and 'id="satisfaction-thanks"' not in response.content.decode()
    )
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_the_relay_resends_an_expired_link_once_per_minute(client, settings):
    """The link expired unanswered: the mission's relay mails a fresh one; a double click
    sends nothing more; another relay gets 404, the Region 403; an answered one, nothing."""
    settings.SATISFACTION_LINK_MAX_AGE_DAYS = 60
    mission = _closed()
    _send(mission)
    with zeal_ignore():
        staff = staff_of("afpi")
        others = {"other": staff_of("thesame"), "region": UserFactory(region=True)}
    survey = SatisfactionSurvey.objects.get(mission=mission)
    url = reverse("collective:satisfaction_resend", args=[survey.pk])
    later = timezone.now() + dt.timedelta(days=61)
    with time_machine.travel(later, tick=False):
        client.force_login(staff)
        listing = client.get(reverse("collective:followup_list")).content.decode()
        assert "Renvoyer le lien" in listing and "expiré" in listing
        mail.outbox.clear()
        first = client.post(url)
        second = client.post(url)  # the double click, within the same minute
    assert first.status_code == second.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mission.enrolment.company.owner.email]
    survey.refresh_from_db()
    assert survey.sent_at == later
    assert TimelineEvent.objects.filter(verb="satisfaction.resent", actor=staff).count() == 1
    path = mail.outbox[0].body.split("http://")[1].split()[0]
    with time_machine.travel(later + dt.timedelta(minutes=2)):
        assert client.get(path[path.index("/") :]).status_code == 200  # the fresh link works
        again = client.post(url)  # two minutes later: a new sending is allowed
    assert again.status_code == 302 and len(mail.outbox) == 2
    for key, status in (("other", 404), ("region", 403)):
        client.force_login(others[key])
        assert client.post(url).status_code == status
    assert len(mail.outbox) == 2
    with zeal_ignore():
        svc.survey_answer(survey=survey, **{k: int(v) for k, v in ANSWER.items() if k != "comment"})
    client.force_login(staff)
    assert client.post(url).status_code == 302
    assert len(mail.outbox) == 2  # answered: nothing to resend


# --- the figures ----------------------------------------------------------------------------


def _indicator(mission, baseline, target, latest=None):
    plan = ActionPlan.objects.get_or_create(mission=mission, title="Plan")[0]
    indicator = Indicator.objects.create(
        plan=plan, name="Indicateur", unit="j", baseline=Decimal(baseline), target=Decimal(target)
    )
    if latest is not None:
        Measurement.objects.create(
            indicator=indicator,
            date=timezone.localdate() - dt.timedelta(days=30),
            value=Decimal("0"),
        )
        Measurement.objects.create(
            indicator=indicator, date=timezone.localdate(), value=Decimal(latest)
        )
    return indicator


def _answer(mission, scores, programme, recommend, comment=""):
    survey = SatisfactionSurvey.objects.get(mission=mission)
    listening, competence, method, results = scores
    return svc.survey_answer(
        survey=survey,
        score_listening=listening,
        score_competence=competence,
        score_method=method,
        score_results=results,
        score_programme=programme,
        would_recommend=recommend,
        comment=comment,
    )


@pytest.fixture
def fixture_world(db):
    """Consultant A: three closed missions (two 36+ months ago) and one running; consultant B:
    one closed mission in Haute-Savoie (Thésame)."""
    with zeal_ignore():
        a, b = a_consultant(), a_consultant()
        m1 = _closed(a, months_ago=40)
        m2 = _closed(a, months_ago=38)
        m3 = _closed(a, months_ago=0, offer="approfondie")
        running = enrolment_at(S.IN_PROGRESS, company=company_in("69"), consultant=a)
        mb = _closed(b, months_ago=0, departement="74")
        for mission, still in ((m1, True), (m2, False)):
            followup_answer(
                followup=FollowUp.objects.get(enrolment=mission.enrolment, due_months=36),
                still_running=still,
            )
        _indicator(m1, "40", "20", latest="18")  # down, beyond the target: reached
        _indicator(m1, "10", "20", latest="15")  # up, short of it: not reached
        _indicator(m2, "0", "10", latest="10")  # exactly the target: reached
        _indicator(m2, "0", "5")  # never measured: not reached
        _indicator(Mission.objects.get(enrolment=running), "0", "1", latest="5")  # running
        _answer(m1, (5, 4, 4, 3), 4, True)
        _answer(m2, (2, 3, 3, 2), 3, False)
        _answer(mb, (5, 5, 5, 5), 5, True)
    return {"a": a, "b": b, "m3": m3}


def test_consultant_figures_equal_the_hand_count(fixture_world, django_assert_max_num_queries):
    a, b = fixture_world["a"], fixture_world["b"]
    with django_assert_max_num_queries(4):
        figures = svc.consultant_outcomes([a.pk, b.pk])
    fa = figures[a.pk]
    # by hand: 3 missions closed (the running one not); 2 answers: (16 + 10) / 8 = 3.25 → 3.3;
    # programme (4 + 3) / 2 = 3.5; 1 of 2 would recommend; indicators of closed missions:
    # 2 reached of 4 = 50 %; closed 36+ months ago: 2, still progressing: 1 = 50 %.
    assert fa.missions_closed == 3 and fa.answers == 2
    assert fa.satisfaction_mean == Decimal("3.3") and fa.programme_mean == Decimal("3.5")
    assert fa.recommend_yes == 1 and fa.small_sample
    assert (fa.indicators, fa.indicators_reached, fa.indicators_share) == (4, 2, Decimal("50.0"))
    assert (fa.closed_long_ago, fa.still_progressing) == (2, 1)
    assert fa.progressing_share == Decimal("50.0")
    fb = figures[b.pk]
    assert (fb.missions_closed, fb.answers, fb.satisfaction_mean) == (1, 1, Decimal("5.0"))
    assert fb.indicators_share is None and fb.progressing_share is None


def test_relay_and_offer_figures_are_scoped_to_the_user(fixture_world):
    by_relay = {r.slug: f for r, f in svc.relay_outcomes(user=UserFactory(region=True))}
    assert (by_relay["afpi"].missions_closed, by_relay["afpi"].answers) == (3, 2)
    assert (by_relay["thesame"].missions_closed, by_relay["thesame"].answers) == (1, 1)
    mine = svc.relay_outcomes(user=staff_of("afpi"))
    assert [r.slug for r, _f in mine] == ["afpi"]
    by_offer = {o.code: f for o, f in svc.offer_outcomes(user=UserFactory(region=True))}
    assert by_offer["ciblee"].missions_closed == 3 and by_offer["approfondie"].missions_closed == 1


def test_the_suggestion_page_shows_figures_with_their_counts(fixture_world, client, settings):
    settings.CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS = False
    a, b = fixture_world["a"], fixture_world["b"]
    with zeal_ignore():
        fresh = a_consultant()  # no mission yet
        waiting = enrolment_at(S.VALIDATED, company=company_in("69"))
    url = reverse("consultants:queue_detail", args=[waiting.pk])
    client.force_login(UserFactory(director=True))
    page = html.unescape(client.get(url).content.decode())
    block_a = page.split(f'data-outcomes="{a.pk}"')[1].split("</ul>")[0]
    assert "3 missions clôturées" in block_a
    assert "3,3/5" in block_a and "(2 avis)" in block_a and "peu d'avis" in block_a
    assert "50,0 % (2/4)" in block_a and "50,0 % (1/2)" in block_a
    block_fresh = page.split(f'data-outcomes="{fresh.pk}"')[1].split("</ul>")[0]
    assert "(0 avis)" in block_fresh and "peu d'avis" not in block_fresh
    assert f'data-outcomes="{b.pk}"' in page  # shown however few its answers

    client.force_login(staff_of("afpi"))  # relay staff do not designate: no figures
    page = client.get(url).content.decode()
    assert "data-outcomes=" not in page and str(a) in page


def test_the_director_sees_the_figures_on_the_profile_and_pool_pages(fixture_world, client):
    a = fixture_world["a"]
    client.force_login(UserFactory(director=True))
    profile = client.get(reverse("consultants:profile", args=[a.pk])).content.decode()
    assert 'id="outcomes"' in profile and "(2 avis)" in profile and "3,3/5" in profile
    pool = client.get(reverse("consultants:pool")).content.decode()
    assert f'data-outcomes="{a.pk}"' in pool and "3,3/5" in pool

    client.force_login(staff_of("afpi"))
    profile = client.get(reverse("consultants:profile", args=[a.pk])).content.decode()
    assert 'id="outcomes"' not in profile and "3,3/5" not in profile
    pool = client.get(reverse("consultants:pool")).content.decode()
    assert "data-outcomes=" not in pool and "Résultats" not in pool


def test_the_figures_are_kept_in_the_cache_per_consultant_and_per_day(
    fixture_world, settings, django_assert_num_queries
):
    """The pool reads each consultant's figures from the cache; only the consultants missing
    there are computed (four queries for all of them), and a new day computes them again."""
    settings.OUTCOMES_CACHE_SECONDS = 60
    a, b = fixture_world["a"], fixture_world["b"]
    days = [timezone.localdate() + dt.timedelta(days=n) for n in (0, 1)]
    keys = [f"consultant-outcomes:{day.isoformat()}:{e.pk}" for day in days for e in (a, b)]
    cache.delete_many(keys)  # a previous run's test database had the same ids
    with django_assert_num_queries(4):
        first = outcomes_for([a.pk])
    with django_assert_num_queries(4):  # b only: a comes from the cache
        both = outcomes_for([a.pk, b.pk])
    assert both[a.pk] == first[a.pk] and both[a.pk].satisfaction_mean == Decimal("3.3")
    assert both[b.pk].missions_closed == 1
    with zeal_ignore():
        _answer(fixture_world["m3"], (1, 1, 1, 1), 1, False)
    with django_assert_num_queries(0):  # within the delay: the figures as they were
        assert outcomes_for([a.pk, b.pk]) == both
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=1)),
        django_assert_num_queries(4),
    ):
        tomorrow = outcomes_for([a.pk, b.pk])
    assert tomorrow[a.pk].answers == 3  # the new answer counts
    cache.delete_many(keys)


def test_personal_data_export_and_anonymisation_cover_the_answers():
    mission = _closed()
    owner = mission.enrolment.company.owner
    _answer(mission, (4, 4, 4, 4), 5, True, comment="Merci, mission utile pour notre atelier.")
    exported = personal_data_collect(person_find(owner.email))
    assert exported["satisfaction_answers"][0]["comment"].startswith("Merci, mission utile")
    assert exported["satisfaction_answers"][0]["programme"] == 5

    person_anonymise(email=owner.email, by=None, reason="Demande de la personne")
    survey = SatisfactionSurvey.objects.get(mission=mission)
    assert survey.comment == "" and survey.score_programme == 5  # the figures stay


def test_the_region_dashboard_shows_outcomes_per_relay_and_offer(fixture_world, client):
    client.force_login(UserFactory(region=True))
    page = client.get(reverse("reporting:dashboard")).content.decode()
    section = page.split('id="mission-outcomes"')[1].split("</section>")[0]
    by_relay, by_offer = section.split("<table")[1:3]
    afpi_row = next(row for row in by_relay.split("<tr") if "Afpi" in row)
    # 3 closed missions, 2 answers, indicators 2/4, still progressing 1/2 (the hand count)
    cells = [c.split(">", 1)[1].split("<")[0].strip() for c in afpi_row.split("<td")[1:]]
    assert cells[0] == "3" and cells[3] == "2"
    assert "50,0 % (2/4)" in afpi_row and "50,0 % (1/2)" in afpi_row
    assert "Performance ciblée" in by_offer
