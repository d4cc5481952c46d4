"""In Chromium at 390 × 844 and 1366 × 768: the relay's list of enrolments, ledger, journal and
period-closing confirmation, the director's suggestion page, queue, pool and a consultant's
profile, the Django admin and the Region's aid instalments never scroll sideways and have no axe-core violation at any level; the list
counts its results and filters by state with checkboxes, a pending proposal comes first, the
running total follows the selection and the sticky "Approuver" stays in view; screenshots
under var/screenshots/staff-pages/<screen>/ (not committed)."""

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services as consultant_services
from consultants.models import TrainingModule
from consultants.training import (
    training_attendance_record,
    training_enrol_pilots,
    training_session_create,
)
from core.models import Relay
from core.roles import Role
from diagnostics.models import Diagnosis, Theme
from enrolment.models import EnrolmentState as S
from tests.consultants.factories import ExpertFactory
from tests.e2e.test_accessibility import AXE_OPTIONS
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment, staff_user
from tests.groups.factories import enrolment_at, staff_of
from tests.training.test_training import make_trainer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"
SCREENS = {"telephone": (390, 844), "ordinateur": (1366, 768)}
SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots" / "staff-pages"


def _fits(page, screen: str, name: str) -> None:
    """No sideways scrolling, no axe-core violation at any level; a screenshot."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{name} ({screen}) scrolls sideways: {width} > {inner} px"
    folder = SHOTS / screen
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3], name, screen)
        for v in violations
    ]


def _waiting_with_a_pending_proposal(staff):
    """An approfondie validated at Afpi whose self-diagnosis has weak themes, a consultant
    proposed and not yet answering, and other consultants free to take it."""
    waiting = enrolment_at(
        S.VALIDATED, offer="approfondie", staff=staff, name="Décolletage des Aravis"
    )
    scores = dict.fromkeys(Theme.objects.values_list("code", flat=True), "80.0")
    scores.update(stocks="30.0", delais="40.0")
    Diagnosis.objects.create(
        company=waiting.company,
        enrolment=waiting,
        questionnaire=waiting.diagnoses.first().questionnaire,
        state=Diagnosis.State.SUBMITTED,
        theme_scores=scores,
        submitted_at=timezone.now(),
    )
    experts = [ExpertFactory(specialties=["stocks"], departements=["69"]) for _ in range(3)]
    director = UserFactory(role=Role.DIRECTOR, email="director-pages@test.example")
    consultant_services.consultant_assign(enrolment=waiting, consultant=experts[0], by=director)
    return waiting, director, experts[0]


def test_staff_pages_fit_phones_and_desktops(page, login, logout):
    afpi = Relay.objects.get(slug="afpi")
    with zeal_ignore():
        staff = staff_user(afpi)
        for name in ("Fonderie Lyonnaise de Précision", "Plasturgie du Beaujolais"):
            signed_enrolment(company=company(relay=afpi, name=name), staff=staff)
        chosen = enrolment_at(S.OFFER_CHOSEN, staff=staff, name="Mécanique Générale du Haut-Bugey")
        waiting, director, proposed = _waiting_with_a_pending_proposal(staff)
        region = UserFactory(role=Role.REGION, email="region-pages@test.example")
        admin = UserFactory(admin=True, email="admin-pages@test.example")

    login(staff.email, PASSWORD)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/inscriptions/")
        _fits(page, screen, "inscriptions")
        assert page.locator("#result-count").inner_text() == "4 inscriptions"
        # on a phone the table scrolls in its own box, the company's name fixed on the left
        name_cell = page.locator("#enrolment-table tbody td:nth-child(2)").first
        assert name_cell.evaluate("e => getComputedStyle(e).position") == "sticky"
        assert "*" not in page.locator('label[for="id_action"]').inner_text()
        # the state filter: checkboxes in a panel that opens without script
        page.locator(".filter-panel > summary").click()
        page.locator("#state-filter").get_by_label("Offre choisie").check()
        page.get_by_role("button", name="Appliquer les filtres").click()
        page.wait_for_load_state()
        assert page.locator("#result-count").inner_text() == "1 inscription"
        assert page.locator("#state-filter").get_by_label("Offre choisie").is_checked()
        _fits(page, screen, "inscriptions-filtrees")
        page.goto(f"/inscriptions/{chosen.pk}/rattachement/")
        _fits(page, screen, "rattachement")
        page.goto(f"/comptabilite/{afpi.slug}/")
        _fits(page, screen, "comptabilite")
        assert "débiteur" in page.locator('#balances tr[data-account="411"]').inner_text()
        page.locator("#id_until").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Clôturer…").click()
        page.wait_for_load_state()
        assert page.get_by_role("button", name="Confirmer la clôture").is_visible()
        _fits(page, screen, "cloture-confirmation")
        page.goto(f"/comptabilite/{afpi.slug}/journal/")
        _fits(page, screen, "journal")
        assert "Page 1 sur 1" in page.locator("#journal-page-status").inner_text()
    logout()

    login(director.email, PASSWORD)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/consultants/file-attente/{waiting.pk}/")
        _fits(page, screen, "suggestions")
        assert "Thèmes faibles : Stocks, Délais" in page.locator("#assignment-needs").inner_text()
        pending = page.locator("#pending-proposal").bounding_box()
        assert pending["y"] < page.locator("#suggestions").bounding_box()["y"]
        buttons = page.locator("#suggestions").get_by_role("button", name="Désigner")
        assert buttons.count() >= 2 and all(b.is_disabled() for b in buttons.all())
        page.goto("/consultants/file-attente/")
        _fits(page, screen, "file-attente")
        row = page.locator("#queue tbody tr", has_text="Décolletage des Aravis")
        assert "Thèmes faibles : Stocks, Délais" in row.inner_text()
        assert f"Proposée à {proposed}, en attente" in row.inner_text()
        page.goto("/consultants/")
        _fits(page, screen, "vivier")
        assert page.locator(f'[data-outcomes="{proposed.pk}"]').count() == 1
        page.goto(f"/consultants/{proposed.pk}/")
        _fits(page, screen, "consultant")
        assert "Satisfaction : — (0 avis)" in page.locator("#outcomes").inner_text()
    logout()

    login(region.email, PASSWORD)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/comptabilite/echeances-region/")
        _fits(page, screen, "echeances")
        total = page.locator("#selection-total")
        assert "Aucune échéance sélectionnée" in total.inner_text()
        boxes = page.locator('input[name="instalment"]')
        assert boxes.count() == 2
        boxes.nth(0).check()
        assert "1 échéance sélectionnée" in total.inner_text() and "€" in total.inner_text()
        page.locator("#select-page").check()
        assert "2 échéances sélectionnées" in total.inner_text()
        # the approval bar stays at the bottom of the screen while the list scrolls
        button = page.get_by_role("button", name="Approuver…")
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height
        _fits(page, screen, "echeances-selection")
        shown = total.inner_text().split(":")[-1].strip()
        button.click()
        page.wait_for_load_state()
        assert "Vous approuvez 2 échéances" in page.locator("#approval-total").inner_text()
        assert shown.replace("\u202f", " ") in page.locator("#approval-total").inner_text().replace(
            "\u202f", " "
        )
        _fits(page, screen, "echeances-confirmation")
        page.get_by_role("link", name="Annuler").click()
    logout()

    login(admin.email, PASSWORD)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/admin/")
        _fits(page, screen, "admin")
        page.goto("/admin/enrolment/enrolment/")
        _fits(page, screen, "admin-inscriptions")


def test_the_trainers_sessions_fit_phones_and_desktops(page, login):
    with zeal_ignore():
        staff = staff_of("afpi")
        trainer = make_trainer()
        enrolment = enrolment_at(
            S.IN_PROGRESS, offer="approfondie", staff=staff, name="Fonderie Lyonnaise"
        )
        trainees = training_enrol_pilots(enrolment=enrolment, trainer=trainer, by=staff)
        modules = list(TrainingModule.objects.filter(is_active=True))
        today = timezone.localdate()
        for module, days in ((modules[0], -7), (modules[1], 7)):
            session = training_session_create(
                module=module,
                trainer=trainer,
                relay=Relay.objects.get(slug="afpi"),
                date=today + dt.timedelta(days=days),
                place="Afpi Lyon, salle 3",
                trainees=trainees,
                by=staff,
            )
            if days < 0:
                training_attendance_record(
                    session=session, present={t.pk: True for t in trainees}, by=trainer.user
                )
    login(trainer.user.email, PASSWORD)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/formation/")
        _fits(page, screen, "formation")
        upcoming = page.locator("#sessions-upcoming").inner_text()
        assert modules[1].title[:20] in upcoming and " / " not in upcoming
        assert f"{len(trainees)} / {len(trainees)}" in page.locator("#sessions").inner_text()
