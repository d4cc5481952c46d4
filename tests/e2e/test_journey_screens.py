"""The owner's whole journey on a phone (390 × 844) and a laptop (1366 × 768), in Chromium.

On every page: nothing scrolls sideways, the step indicator is there and names the step the
page's title and <h1> name, and a screenshot is saved under var/screenshots/journey/<screen>/
(the CI keeps them as artefacts; `var/` is not committed). The clicks it takes are counted.
On the laptop the request then reaches its relay: another relay's staff get 404 on it, the
right relay's staff find it in their list and validate it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from zeal import zeal_ignore

from diagnostics.models import Question
from enrolment.models import Enrolment, EnrolmentState
from tests.e2e.conftest import sign_in, sized_page
from tests.enrolment.conftest import REGISTER_SIRET, _Answering, _serve
from tests.factories import UserFactory, relay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENS = {"telephone": (390, 844), "ordinateur": (1366, 768)}
SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots" / "journey"
#: Today's journey (before the redesign), landing page to request sent: CTA, create account,
#: SIRET, company, submit, start diagnosis, submit diagnosis, to offer, send = 9 clicks.
CLICKS_BEFORE = 9


@dataclass
class Walk:
    """Drives the page, checks each screen, counts the clicks that change the page."""

    page: object
    screen: str
    shots: list[str] = field(default_factory=list)
    clicks: int = 0
    theme_turns: int = 0  # "Continuer" from one theme of the questionnaire to the next
    answers: int = 0

    def click(self, locator, *, theme_turn: bool = False) -> None:
        locator.click()
        self.page.wait_for_load_state()
        self.clicks += 1
        self.theme_turns += int(theme_turn)

    def fits(self, name: str) -> None:
        self.page.wait_for_load_state()
        width = self.page.evaluate("document.documentElement.scrollWidth")
        inner = self.page.evaluate("window.innerWidth")
        assert width <= inner, f"{name} ({self.screen}) scrolls sideways: {width} > {inner} px"
        folder = SHOTS / self.screen
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path.name)

    def step(self, name: str, number: int) -> None:
        """A page of the journey: it fits, and its step indicator agrees with its title."""
        indicator = self.page.locator("#step-indicator")
        assert indicator.is_visible(), f"{name}: no step indicator"
        text = " ".join(indicator.inner_text().split())
        match = re.match(r"Étape (\d) sur 6 — ([^,]+)", text)
        assert match, f"{name}: indicator reads {text!r}"
        assert int(match[1]) == number, f"{name}: step {match[1]}, expected {number}"
        label = match[2].strip()
        heading = " ".join(self.page.locator("h1").inner_text().split())
        assert label.lower() in heading.lower(), f"{name}: «{label}» not in <h1> «{heading}»"
        assert label.lower() in self.page.title().lower(), f"{name}: «{label}» not in <title>"
        self.fits(name)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_journey_fits_every_screen_and_says_where_the_owner_is(
    browser, live_server, settings, screen
):
    register = _serve(_Answering)
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{register.server_port}"
    width, height = SCREENS[screen]
    context, page = sized_page(browser, live_server, {"width": width, "height": height})
    try:
        walk = Walk(page, screen)
        _journey(walk)
    finally:
        context.close()
        register.shutdown()
        register.server_close()
    print(
        f"\n[{screen}] {walk.clicks} clics (dont {walk.theme_turns} passages d'un thème au "
        f"suivant) + {walk.answers} réponses ; avant la refonte : {CLICKS_BEFORE} clics "
        f"+ 45 réponses. Captures : {SHOTS / screen}"
    )
    # today's clicks plus the check page, the questionnaire's page turns aside (one per theme)
    assert walk.clicks - walk.theme_turns <= CLICKS_BEFORE + 1


def _journey(walk: Walk) -> None:
    page = walk.page
    with zeal_ignore():
        thesame = relay("thesame")
        thesame.email, thesame.phone = "inscriptions@thesame.test", "04 50 00 00 00"
        thesame.save()

    page.goto("/")
    walk.fits("accueil-public")
    walk.click(page.get_by_role("link", name="Inscrire mon entreprise").first)

    # 1. the account
    walk.step("1-compte", 1)
    page.fill("#id_first_name", "Christine")
    page.fill("#id_last_name", "Morel")
    page.fill("#id_email", "c.morel@decolletage.test")
    page.fill("#id_password1", "Usinage-Savoie-74!")
    page.fill("#id_password2", "Usinage-Savoie-74!")
    walk.click(page.get_by_role("button", name="Créer mon compte"))

    # 2. the company: SIRET, then its identity (pre-filled by the register)
    walk.step("2-siret", 2)
    page.get_by_label("SIRET de l'établissement").fill(REGISTER_SIRET)
    walk.click(page.get_by_role("button", name="Continuer"))
    walk.step("2-entreprise", 2)
    assert page.input_value("#id_name") == "DECOLLETAGE DU MONT-BLANC"
    assert page.input_value("#id_postcode") == "74300"
    page.fill("#id_headcount", "35")
    page.fill("#id_turnover", "4 200 000,00")
    walk.click(page.get_by_role("button", name="Continuer"))

    # 3. the self-diagnosis, one theme per page: weak on stocks only → ciblée on stocks
    codes = list(
        Question.objects.filter(questionnaire__is_active=True)
        .order_by("theme__position", "position")
        .values_list("code", "theme__code", "theme__position")
    )
    themes = list(dict.fromkeys(position for _c, _t, position in codes))
    assert "éligible" in page.locator(".alert-success").first.inner_text()
    for number, position in enumerate(themes, start=1):
        walk.step(f"3-theme-{number}", 3)
        assert f"thème {number} sur {len(themes)}" in page.locator("#step-indicator").inner_text()
        if number == 1 and walk.screen == "telephone":
            # the progress bar stays in view while the owner scrolls the theme's questions
            page.mouse.wheel(0, 1500)
            page.wait_for_timeout(200)
            box = page.locator("#diagnosis-progress").bounding_box()
            assert box is not None and box["y"] <= 1, box
            page.evaluate("window.scrollTo(0, 0)")
        for code, theme, pos in codes:
            if pos == position:
                page.check(f"#q-{code}-{0 if theme == 'stocks' else 3}")
                walk.answers += 1
        last = number == len(themes)
        name = "Terminer et voir mes résultats" if last else "Continuer"
        walk.click(page.get_by_role("button", name=name, exact=True), theme_turn=not last)
    walk.step("3-resultats", 3)
    recommendation = page.locator("#recommendation").inner_text()
    assert "Performance ciblée" in recommendation and "Stocks" in recommendation
    assert "Stocks" in page.locator("#weakest-themes").inner_text()
    assert not re.search(r"\d\.\d", recommendation), recommendation  # French decimals
    if walk.screen == "telephone":
        assert page.locator(".score-bars").is_visible()
    else:
        chart = page.locator("figure.diagnosis-chart svg")
        assert chart.is_visible()
        sizes = chart.evaluate(
            "svg => [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)"
        )
        assert min(sizes) >= 12, sizes  # theme names at least 12 px on screen
    walk.click(page.get_by_role("link", name="Continuer : pilotes et offre"))

    # 4. pilots and offer (pre-selected from the recommendation)
    walk.step("4-pilotes-offre", 4)
    assert page.is_checked("#offer-ciblee")
    assert not page.locator("[data-show-for='approfondie']").is_visible()
    page.fill("#id_pilot1-first_name", "Karim")
    page.fill("#id_pilot1-last_name", "Benali")
    page.fill("#id_pilot1-job_title", "Responsable de production")
    page.fill("#id_pilot1-email", "k.benali@decolletage.test")
    walk.click(page.get_by_role("button", name="Continuer"))

    # 5. check your answers, then send
    walk.step("5-verification", 5)
    assert (
        page.get_by_role("link", name=re.compile("^Modifier")).count() == 5
    )  # with the de minimis declaration
    assert "2 928,00" in page.locator("#check-price").inner_text().replace("\u202f", " ")
    walk.click(page.get_by_role("button", name="Envoyer ma demande"))

    # 6. the receipt
    walk.step("6-confirmation", 6)
    enrolment = Enrolment.objects.get(company__siret=REGISTER_SIRET)
    assert enrolment.state == EnrolmentState.OFFER_CHOSEN
    assert page.locator("#reference").inner_text() == f"PME-{enrolment.pk:06d}"
    assert "inscriptions@thesame.test" in page.locator("#relay-contact").inner_text()

    # the owner's home is the company's dossier
    page.goto("/accueil/")
    walk.fits("accueil-dossier")
    assert "Demande envoyée" in page.locator(".owner-status").first.inner_text()
    page.goto(f"/inscription/{enrolment.pk}/")
    walk.fits("dossier")
    # the pages every visitor can reach from the footer, and the login page
    for url, name in [
        ("/accessibilite/", "accessibilite"),
        ("/mentions-legales/", "mentions-legales"),
        ("/donnees-personnelles/", "donnees-personnelles"),
    ]:
        page.goto(url)
        walk.fits(name)
    if walk.screen == "ordinateur":
        _the_relay_validates(page, enrolment)


def _log_in(page, email: str) -> None:
    """A fresh session for relay staff."""
    page.context.clear_cookies()
    sign_in(page, email, "secret-pass-123")


def _the_relay_validates(page, enrolment: Enrolment) -> None:
    with zeal_ignore():
        thesame = UserFactory(email="cm@thesame.test", role="relay_staff", relay=relay("thesame"))
        afpi = UserFactory(email="cm@afpi.test", role="relay_staff", relay=relay("afpi"))
    detail = f"/inscriptions/{enrolment.pk}/"
    _log_in(page, afpi.email)
    assert page.goto(detail).status == 404  # another relay's request

    _log_in(page, thesame.email)
    page.goto("/inscriptions/")
    page.get_by_role("link", name="DECOLLETAGE DU MONT-BLANC").click()
    page.wait_for_url(f"**{detail}")  # the dossier page, loaded
    assert "Karim Benali" in page.locator("main").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # the validation is confirmed first
    page.get_by_role("button", name="Valider l'inscription").click()
    assert "Validée par le relais" in page.locator("#state").inner_text()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.VALIDATED
