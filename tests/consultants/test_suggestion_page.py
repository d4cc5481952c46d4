"""The director's suggestion page: the company's needs in the same words as the queue, and a
proposal waiting for its answer shown first, with the other "Désigner" buttons disabled."""

import re

import pytest
from django.urls import reverse

from consultants import services
from consultants.models import Assignment

from .factories import ExpertFactory, director, validated_enrolment
from .test_diagnosis_ranking import _scores, _submitted

pytestmark = pytest.mark.django_db


def _needs_cell(queue_html: str, company: str) -> str:
    row = queue_html[queue_html.index(company) :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row[: row.index("</tr>")]))


def test_the_header_names_the_weak_themes_the_queue_shows(client):
    enrolment = validated_enrolment(offer="approfondie", theme=None)
    _submitted(enrolment, _scores(delais="40.0", stocks="30.0"))
    client.force_login(director())

    queue = client.get(reverse("consultants:queue")).content.decode()
    page = client.get(reverse("consultants:queue_detail", args=[enrolment.pk])).content.decode()

    assert "Thèmes faibles : Stocks, Délais" in _needs_cell(queue, enrolment.company.name)
    header = page[page.index('id="assignment-needs"') :]
    assert header[: header.index("</p>")].endswith("Thèmes faibles : Stocks, Délais</span>")  # noqa: E501


def test_a_targeted_offer_shows_its_chosen_problem_on_both_pages(client):
    enrolment = validated_enrolment(offer="ciblee", theme="maintenance")
    _submitted(enrolment, _scores(stocks="30.0"))  # a weak theme the owner did not choose
    client.force_login(director())

    queue = client.get(reverse("consultants:queue")).content.decode()
    page = client.get(reverse("consultants:queue_detail", args=[enrolment.pk])).content.decode()

    assert "Maintenance" in _needs_cell(queue, enrolment.company.name)
    header = page[page.index('id="assignment-needs"') :]
    assert "Problème : Maintenance" in header[: header.index("</p>")]
    assert "Thèmes faibles" not in page


def test_a_pending_proposal_comes_first_and_the_designate_buttons_wait_for_its_answer(client):
    enrolment = validated_enrolment()
    proposed, other = ExpertFactory(specialties=["stocks"]), ExpertFactory(specialties=["stocks"])
    boss = director()
    client.force_login(boss)
    url = reverse("consultants:queue_detail", args=[enrolment.pk])
    free = client.get(url).content.decode()
    assert 'id="pending-proposal"' not in free
    assert "disabled" not in free[free.index('id="suggestions"') :]

    services.consultant_assign(enrolment=enrolment, consultant=proposed, by=boss)
    html = client.get(url).content.decode()

    pending = html.index('id="pending-proposal"')
    assert pending < html.index('id="suggestions"')
    box = html[pending : html.index("</section>", pending)]
    assert str(proposed) in box and "Proposée, en attente de réponse" in box
    assert "attendez sa réponse" in box
    suggestions = html[html.index('id="suggestions"') : html.index("</ol>")]
    buttons = re.findall(r"<button[^>]*>Désigner<", suggestions)
    assert buttons and all('disabled aria-describedby="pending-reason"' in b for b in buttons)
    assert "Proposé, en attente" in suggestions  # the proposed consultant's row says so
    # the guard still refuses a post made from an older copy of the page
    response = client.post(url, {"consultant": other.pk})
    assert "Un consultant est déjà proposé pour cette inscription" in response.content.decode()
    assert Assignment.objects.filter(mission__enrolment=enrolment).count() == 1
