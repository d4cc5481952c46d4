"""The relay's dossier page and its message thread on a phone (390 × 844) and a laptop
(1366 × 768), in Chromium (issue 16).

On each screen, for relay staff, the Region (read-only) and the owner's dossier with the thread:
nothing scrolls sideways, axe-core finds no violation of any impact, and a screenshot is saved
under var/screenshots/staff/<screen>/ (kept by the CI as artefacts; `var/` is not committed).
The relay staff also write a message from the page, with the confirmation dialogs in place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from zeal import zeal_ignore

from enrolment import thread
from enrolment.models import DossierMessage, EnrolmentState
from tests.builders import enrolment_at, relay_staff_for
from tests.e2e.conftest import sign_in, sized_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
SCREENS = {"telephone": (390, 844), "ordinateur": (1366, 768)}
SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots" / "staff"
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}


def _check(page, screen: str, name: str) -> None:
    """No sideways scrolling, no axe violation, a full-page screenshot."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    folder = SHOTS / screen
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert width <= inner, f"{name} ({screen}) scrolls sideways: {width} > {inner} px"
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert not found, f"{name} ({screen}): " + "; ".join(found)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_dossier_page_fits_every_screen_for_staff_region_and_owner(
    browser, live_server, screen
):
    with zeal_ignore():
        enrolment = enrolment_at(EnrolmentState.IN_PROGRESS, name="Décolletage du Mont-Blanc")
        staff = relay_staff_for(enrolment)
        owner = enrolment.company.owner
        thread.message_post(
            enrolment=enrolment,
            by=owner,
            text="Bonjour, pouvez-vous nous confirmer la date de la première demi-journée ? "
            "Nous préférerions un mardi matin, l'atelier est plus calme.",
        )
        region = UserFactory(region=True)
    url = f"/inscriptions/{enrolment.pk}/"
    width, height = SCREENS[screen]

    def session(email: str):
        context, page = sized_page(browser, live_server, {"width": width, "height": height})
        sign_in(page, email, PASSWORD)
        return context, page

    # relay staff: the page, then a reply from the thread's form
    context, page = session(staff.email)
    page.goto(url)
    assert "Mission en cours" in page.locator("#state").inner_text()
    _check(page, screen, "dossier-relais")
    page.locator("#message_text").fill("Mardi 9 h, c'est noté.")
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    assert "Mardi 9 h, c'est noté." in page.locator("#messages").inner_text()
    assert DossierMessage.objects.filter(side="relay").count() == 1
    # an irreversible action asks first: dismissing the dialog sends nothing
    page.locator("summary", has_text="Enregistrer l'abandon").click()
    page.locator("#withdraw_reason").fill("Test")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Enregistrer l'abandon").click()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.IN_PROGRESS
    _check(page, screen, "dossier-relais-panneau")
    context.close()

    # the Region: the same page, read-only
    context, page = session(region.email)
    page.goto(url)
    assert page.locator("#read-only").is_visible()
    assert page.locator("#message-form").count() == 0
    _check(page, screen, "dossier-region")
    context.close()

    # the owner: their dossier with the thread
    context, page = session(owner.email)
    page.goto(f"/inscription/{enrolment.pk}/")
    assert "Mardi 9 h, c'est noté." in page.locator("#messages").inner_text()
    _check(page, screen, "dossier-entreprise")
    context.close()
