"""The Region's dashboard on a phone (390 × 844) and a laptop (1366 × 768), in Chromium.

Nothing scrolls sideways (tables scroll inside their own container, first column fixed), axe
finds no violation at any level, the export menus open, and a screenshot of each screen is
saved under var/screenshots/dashboard/ (kept by the CI as artefacts; `var/` is not committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from zeal import zeal_ignore

from core.models import Relay
from core.roles import Role
from tests.e2e.conftest import sign_in, sized_page
from tests.e2e.test_accessibility import AXE_OPTIONS
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"
SCREENS = {"telephone": (390, 844), "ordinateur": (1366, 768)}
SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots" / "dashboard"


@pytest.mark.parametrize("screen", SCREENS)
def test_the_dashboard_fits_the_screen_and_has_no_accessibility_violation(
    browser, live_server, screen
):
    with zeal_ignore():
        region = UserFactory(role=Role.REGION, email=f"region-{screen}@test.example")
        for slug in ("afpi", "cci"):
            relay = Relay.objects.get(slug=slug)
            signed_enrolment(company=company(relay=relay), staff=staff_user(relay))
    width, height = SCREENS[screen]
    context, page = sized_page(browser, live_server, {"width": width, "height": height})
    try:
        sign_in(page, region.email, PASSWORD)
        page.goto("/tableau-de-bord/")
        page.wait_for_load_state()

        scroll = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert scroll <= inner, f"the dashboard scrolls sideways at {width} px: {scroll} > {inner}"
        # every table and chart stays inside its card: wider tables scroll in their container
        for box in page.locator(".table-scroll, .dashboard-chart svg").all():
            assert box.evaluate("e => e.getBoundingClientRect().right") <= inner
        first = page.locator("#table-money td").first
        assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
        # chart labels: at least 12 px on screen
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.dashboard-chart svg')].flatMap(svg => {
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 return [...svg.querySelectorAll('.axis text, .legend text, .title')]
                   .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
               })"""
        )
        assert sizes and min(sizes) >= 12, sizes

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{screen}.png"), full_page=True)

        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:5]]) for v in violations
        ]

        # one export menu per section, its two formats behind one button
        page.locator("#export-money").click()
        menu = page.locator("#table-money .dropdown-menu")
        assert menu.is_visible()
        assert menu.get_by_role("link", name="Exporter en CSV").is_visible()
        assert menu.get_by_role("link", name="Exporter en XLSX").is_visible()
    finally:
        context.close()
