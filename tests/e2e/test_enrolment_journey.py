"""A new owner enrols a company in real Chromium; the right relay validates it, another gets 404."""

import pytest
from zeal import zeal_ignore

from diagnostics.models import Question
from enrolment.models import Enrolment, EnrolmentState
from tests.enrolment.conftest import REGISTER_SIRET, _Answering, _serve
from tests.factories import UserFactory, relay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_enrols_and_relay_validates(page, login, logout, settings):
    register = _serve(_Answering)
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{register.server_port}"
    try:
        _journey(page, login, logout)
    finally:
        register.shutdown()
        register.server_close()


def _journey(page, login, logout):
    with zeal_ignore():
        thesame = UserFactory(email="cm@thesame.test", role="relay_staff", relay=relay("thesame"))
        afpi = UserFactory(email="cm@afpi.test", role="relay_staff", relay=relay("afpi"))

    # 1. from the landing page, the owner creates an account
    page.goto("/")
    page.get_by_role("link", name="Inscrire mon entreprise").first.click()
    page.fill("#id_first_name", "Christine")
    page.fill("#id_last_name", "Morel")
    page.fill("#id_email", "c.morel@decolletage.test")
    page.fill("#id_password1", "Usinage-Savoie-74!")
    page.fill("#id_password2", "Usinage-Savoie-74!")
    page.get_by_role("button", name="Créer mon compte").click()

    # 2. SIRET: the register pre-fills the company; the owner completes it; eligibility at once
    page.get_by_label("SIRET de l'établissement").fill(REGISTER_SIRET)
    page.get_by_role("button", name="Continuer").click()
    assert page.input_value("#id_name") == "DECOLLETAGE DU MONT-BLANC"
    assert page.input_value("#id_postcode") == "74300"
    page.fill("#id_headcount", "35")
    page.fill("#id_turnover", "4 200 000,00")
    page.get_by_role("button", name="Continuer").click()
    assert "éligible" in page.locator(".alert-success").first.inner_text()

    # 3. self-diagnosis, one theme per page: weak on stocks only, a small firm → ciblée on stocks
    questions = list(
        Question.objects.filter(questionnaire__is_active=True)
        .order_by("theme__position", "position")
        .values_list("code", "theme__code", "theme__position")
    )
    themes = list(dict.fromkeys(p for _c, _t, p in questions))
    for number, position in enumerate(themes, start=1):
        for code, theme, pos in questions:
            if pos == position:
                page.check(f"#q-{code}-{0 if theme == 'stocks' else 3}")
        last = number == len(themes)
        name = "Terminer et voir mes résultats" if last else "Continuer"
        page.get_by_role("button", name=name, exact=True).click()
    assert page.locator("figure.diagnosis-chart svg").count() == 1
    recommendation = page.locator("#recommendation").inner_text()
    assert "Performance ciblée" in recommendation and "Stocks" in recommendation
    assert "Stocks" in page.locator("#weakest-themes").inner_text()

    # 4. pilot and offer (pre-selected from the recommendation), checked, then sent
    page.get_by_role("link", name="Continuer : pilotes et offre").click()
    assert page.is_checked("#offer-ciblee")
    page.fill("#id_pilot1-first_name", "Karim")
    page.fill("#id_pilot1-last_name", "Benali")
    page.fill("#id_pilot1-job_title", "Responsable de production")
    page.fill("#id_pilot1-email", "k.benali@decolletage.test")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert "Demande envoyée" in page.locator("h1").inner_text()
    enrolment = Enrolment.objects.get(company__siret=REGISTER_SIRET)
    assert enrolment.state == EnrolmentState.OFFER_CHOSEN
    logout()

    # 5. another relay's staff get 404 on its URL
    detail = f"/inscriptions/{enrolment.pk}/"
    login(afpi.email, "secret-pass-123")
    assert page.goto(detail).status == 404
    page.goto("/accueil/")
    logout()

    # 6. the right relay sees it in the list and validates it
    login(thesame.email, "secret-pass-123")
    page.goto("/inscriptions/")
    page.get_by_role("link", name="DECOLLETAGE DU MONT-BLANC").click()
    page.wait_for_url(f"**{detail}")  # the dossier page, loaded
    assert "Karim Benali" in page.locator("main").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # the validation is confirmed first
    page.get_by_role("button", name="Valider l'inscription").click()
    assert "Validée par le relais" in page.locator("#state").inner_text()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.VALIDATED
