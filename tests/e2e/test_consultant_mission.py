"""The director designates a suggested consultant, who accepts and runs the mission;
the owner follows the progress chart (real Chromium)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from zeal import zeal_ignore

from enrolment.models import EnrolmentState
from tests.builders import advance
from tests.consultants.factories import ExpertFactory, director, validated_enrolment
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"


def test_director_assigns_consultant_runs_mission_owner_sees_chart(page, login, logout):
    with zeal_ignore():
        enrolment = validated_enrolment(theme="stocks", dep="69")
        company = enrolment.company
        consultant = ExpertFactory(
            user=UserFactory(role="consultant", first_name="Lina", last_name="Martin"),
            specialties=["stocks"],
            departements=["69"],
        )
        ExpertFactory(specialties=["achats"], departements=["01"])  # ranks below
        boss = director()

    # The director picks the first suggestion for the company waiting in the queue.
    login(boss.email, PASSWORD)
    page.goto("/consultants/file-attente/")
    page.get_by_role("link", name=re.compile(f"Suggestions — {company.name}")).click()
    first = page.locator("#suggestions li").first
    assert "Lina Martin" in first.inner_text()
    assert "Spécialité : Stocks" in first.inner_text()
    first.get_by_role("button", name=re.compile("Désigner")).click()
    assert "la mission attend son acceptation" in page.content()
    logout()

    # The consultant accepts the proposal.
    login(consultant.user.email, PASSWORD)
    page.goto("/missions/")
    page.get_by_role("button", name="Accepter la mission").click()
    assert "Mission acceptée" in page.content()
    mission_url = page.url
    with zeal_ignore():  # the owner signs the agreement (another issue's page)
        advance(enrolment, EnrolmentState.AGREEMENT_SIGNED)

    # ... logs a half-day, creates an action plan with an indicator and a measurement.
    page.goto(mission_url)
    today = timezone.localdate().isoformat()
    page.get_by_label("Date*", exact=True).fill(today)
    page.get_by_label("Objet").fill("Cartographie des flux")
    page.get_by_label("Participants").fill("Dirigeant, pilote")
    page.get_by_role("button", name="Enregistrer la demi-journée").click()
    assert page.locator("#half-day-count").inner_text().startswith("1 /")
    tabs = page.get_by_role("navigation", name="Sections de la mission")
    tabs.get_by_role("link", name="Plans d'action").click()
    page.get_by_label("Intitulé du plan").fill("Réduire les stocks de 20 %")
    page.get_by_role("button", name="Créer le plan d'action").click()
    assert "onglet=plans" in page.url  # back on the tab of the form
    tabs.get_by_role("link", name="Indicateurs").click()
    page.get_by_text("Ajouter un indicateur").click()
    page.get_by_label("Indicateur*", exact=True).fill("Valeur du stock")
    page.get_by_label("Unité").fill("k€")
    page.get_by_label("Valeur de départ").fill("480")
    page.get_by_label("Cible").fill("380")
    page.get_by_role("button", name="Ajouter l'indicateur").click()
    page.get_by_label("Date de la mesure").fill(today)
    page.get_by_label("Valeur*", exact=True).fill("430")
    page.get_by_role("button", name="Ajouter la mesure").click()
    assert "50 % du chemin vers la cible" in page.content()
    logout()

    # The owner sees the same page, read-only, with the progress chart.
    login(company.owner.email, PASSWORD)
    page.goto("/missions/")
    page.get_by_role("link", name=company.name).click()
    expect(page.get_by_text("Consultation seule")).to_be_visible()
    assert page.locator("#halfday-form").count() == 0
    page.get_by_role("navigation", name="Sections de la mission").get_by_role(
        "link", name="Indicateurs"
    ).click()
    chart = page.locator("figure.indicator-chart svg")
    expect(chart).to_have_count(1)  # waits for the tab's page, which the click only starts
    assert "Valeur du stock" in chart.inner_html()
    assert "Cible : 380 k€" in chart.inner_html()
