"""The mission workspace in tabs, in real Chromium at 390 × 844 and 1366 × 768: no tab wider
than the viewport, chart labels at least 12 px, axe-core clean at every level; screenshots
under var/screenshots/mission/ (not committed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services
from consultants.models import HalfDay, Measurement
from core.roles import Role
from tests.consultants.factories import ExpertFactory, running_mission
from tests.e2e.test_accessibility import Audit
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"
VIEWPORTS = [(390, 844), (1366, 768)]
TABS = ["demi-journees", "plans", "indicateurs", "synthese"]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "mission"

CHART_LABEL_SIZES = """() => {
  const sizes = [];
  for (const svg of document.querySelectorAll("figure.indicator-chart svg")) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {
      if (!t.textContent.trim() || t.closest(".tooltip")) continue;
      sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  return sizes;
}"""


def _world():
    consultant = ExpertFactory(
        user=UserFactory(role=Role.CONSULTANT, first_name="Lina", last_name="Martin")
    )
    mission = running_mission(consultant=consultant, offer="approfondie", started_days_ago=60)
    user = consultant.user
    pilot = mission.enrolment.pilots.first()
    day = mission.start_date
    for n, (issue, plan_title, indicator, unit, base, target, values) in enumerate(
        [
            (
                "Stocks et approvisionnements",
                "Réduire la valeur du stock de produits finis",
                "Taux de rebut en sortie de ligne",
                "%",
                "6.4",
                "3.5",
                ["6.1", "5.2", "4.75"],
            ),
            (
                "Délais de livraison",
                "Livrer à l'heure les clients prioritaires",
                "Taux de service",
                "%",
                "82.5",
                "95",
                ["84", "88.2"],
            ),
        ]
    ):
        ki = services.key_issue_create(mission=mission, by=user, title=issue)
        plan = services.action_plan_create(mission=mission, by=user, title=plan_title, key_issue=ki)
        for a in range(3):
            services.action_create(
                plan=plan,
                by=user,
                title=f"Action {a + 1} : cartographier les flux de l'atelier de décolletage",
                owner=pilot,
                due_date=day + dt.timedelta(days=30 * (a + 1)),
            )
        ind = services.indicator_create(
            plan=plan,
            by=user,
            name=indicator,
            unit=unit,
            baseline=Decimal(base),
            target=Decimal(target),
        )
        Measurement.objects.bulk_create(
            Measurement(indicator=ind, date=day + dt.timedelta(days=10 * (i + 1 + n)), value=v)
            for i, v in enumerate(Decimal(v) for v in values)
        )
    allowed = services.mission_allowed_half_days(mission=mission)
    HalfDay.objects.bulk_create(
        HalfDay(
            mission=mission,
            date=min(day + dt.timedelta(days=i), timezone.localdate()),
            subject=f"Atelier {i + 1} : analyse de la valeur ajoutée des postes de travail",
            attendees="Dirigeant, responsable de production, pilote",
        )
        for i in range(allowed)
    )
    services.mission_write_summary(
        mission=mission, by=user, summary="Stock réduit, taux de service en hausse."
    )
    staff = UserFactory(role=Role.RELAY_STAFF, relay=mission.enrolment.company.relay)
    return mission, user, staff


def test_every_tab_fits_the_viewport_reads_and_passes_axe(page, login, logout):
    with zeal_ignore():
        mission, consultant, staff = _world()
    SHOTS.mkdir(parents=True, exist_ok=True)
    audit = Audit(page)
    wide = []
    for who, user in [("consultant", consultant), ("relais", staff)]:
        login(user.email, PASSWORD)
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            for tab in TABS:
                page.goto(f"/missions/{mission.pk}/?onglet={tab}")
                page.wait_for_load_state()
                active = page.locator("nav[aria-label='Sections de la mission'] a.active")
                assert active.get_attribute("aria-current") == "page"
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    wide.append(f"{who} {tab} {width}px : {scroll}px")
                if tab == "indicateurs":
                    assert page.locator("figure.indicator-chart svg").count() == 2
                    sizes = page.evaluate(CHART_LABEL_SIZES)
                    assert sizes and min(sizes) >= 12, (width, sorted(sizes)[:5])
                if tab == "demi-journees" and who == "consultant":
                    assert page.locator("#halfday-form").count() == 0
                    assert page.locator("#half-day-cap").is_visible()
                page.screenshot(path=str(SHOTS / f"{who}-{tab}-{width}.png"), full_page=True)
                audit(f"mission {tab} ({who}, {width} px)", strict=True)
        logout()
    assert not wide, wide
    assert not audit.fatal, audit.report()
