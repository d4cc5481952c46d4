"""Accessibility audit (RGAA builds on WCAG) with axe-core in real Chromium.

One browser and one shared world: the owner's whole journey (with each form also shown in its
error state), then the home page of every role and the main pages of relay staff, consultant,
director and Region. Any "serious" or "critical" violation fails the test, each printed with its
rule, impact, target selectors and help URL; moderate and minor ones are printed, not fatal.
axe-core's script ships inside the axe-playwright-python wheel: nothing is fetched at test time.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from zeal import zeal_ignore

from collective.groups import group_create, group_member_add
from collective.models import NetworkConsent, SatisfactionSurvey
from collective.network import network_consent_give
from collective.satisfaction import survey_token
from consultants.models import Expert
from core.roles import Role
from diagnostics.models import Question
from enrolment.models import Enrolment
from tests.consultants.factories import ExpertFactory, running_mission
from tests.e2e.conftest import otp_step
from tests.enrolment.conftest import REGISTER_SIRET, _Answering, _serve
from tests.factories import UserFactory, relay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"
FATAL = {"serious", "critical"}
# WCAG 2.x A/AA and axe's best practices (landmarks, headings, one <main>…), as RGAA asks.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}


class AccessibilityWarning(UserWarning):
    """A moderate or minor axe-core violation: reported, not fatal."""


@dataclass
class Audit:
    """Runs axe on the current page and keeps what it finds, page by page."""

    page: object
    axe: Axe = field(default_factory=Axe)
    pages: list[str] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)

    def __call__(self, name: str, *, strict: bool = False) -> None:
        """Audit the page; `strict` (the owner's journey): a violation of any impact is fatal."""
        self.page.wait_for_load_state()
        response = self.axe.run(self.page, options=AXE_OPTIONS).response
        path = self.page.url.split("//", 1)[-1].split("/", 1)[-1]
        self.pages.append(f"{name} (/{path})")
        for v in response["violations"]:
            targets = " | ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:8])
            line = (
                f"[{name} — /{path}] {v['id']} ({v['impact']}): {v['help']}\n"
                f"    cibles : {targets}\n    aide : {v['helpUrl']}"
            )
            (self.fatal if strict or v["impact"] in FATAL else self.minor).append(line)

    def report(self) -> str:
        text = (
            f"{len(self.pages)} pages auditées, {len(self.fatal)} violation(s) graves ou "
            f"critiques, {len(self.minor)} modérée(s) ou mineure(s)\n" + "\n".join(self.fatal)
        )
        if self.minor:
            text += "\nNon bloquantes (modérées ou mineures) :\n" + "\n".join(self.minor)
        return text


def errors_are_described(page, *, at_least: int = 1) -> list[str]:
    """Every invalid field says so (aria-invalid) and points to its French message
    (aria-describedby); returns the messages."""
    fields = page.locator("[aria-invalid='true']")
    assert fields.count() >= at_least, "aucun champ n'est marqué aria-invalid"
    messages = []
    for i in range(fields.count()):
        f = fields.nth(i)
        described = (f.get_attribute("aria-describedby") or "").split()
        name = f.get_attribute("name")
        assert described, f"le champ {name} en erreur n'a pas d'aria-describedby"
        texts = [page.locator(f"[id='{d}']").inner_text().strip() for d in described]
        error = next((t for t in texts if t), "")
        assert error, f"aria-describedby du champ {name} ne mène à aucun message"
        messages.append(error)
    return messages


def test_pages_have_no_serious_accessibility_violation(page, login, logout, settings):
    register = _serve(_Answering)
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{register.server_port}"
    audit = Audit(page)
    try:
        _world_and_tour(page, login, logout, audit)
    finally:
        register.shutdown()
        register.server_close()
    print("\n" + audit.report())
    for line in audit.minor:  # listed in pytest's warnings summary, not fatal
        warnings.warn(line, AccessibilityWarning, stacklevel=1)
    assert len(audit.pages) >= 30
    assert not audit.fatal, audit.report()


def _password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _world_and_tour(page, login, logout, audit):
    with zeal_ignore():
        staff = UserFactory(email="cm@thesame.test", role=Role.RELAY_STAFF, relay=relay("thesame"))
        mission = running_mission(
            consultant=ExpertFactory(user=UserFactory(role=Role.CONSULTANT, first_name="Lina"))
        )
        trainer = ExpertFactory(
            user=UserFactory(role=Role.TRAINER, first_name="Paul"), kind=Expert.Kind.TRAINER
        ).user
        director = UserFactory(role=Role.DIRECTOR)
        region = UserFactory(role=Role.REGION)
        admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)

    _public_pages(page, audit)
    _owner_journey(page, audit)
    logout()

    login(staff.email, PASSWORD)
    page.goto("/accueil/")  # whatever step the login ended on (e.g. a second factor)
    audit("accueil du chargé de mission relais")
    page.goto("/inscriptions/")
    audit("liste des inscriptions")
    page.get_by_role("link", name="DECOLLETAGE DU MONT-BLANC").click()
    audit("détail d'une inscription (relais)")
    page.get_by_role("link", name="Voir ou corriger la déclaration").click()
    audit("déclaration de minimis (relais)")
    page.go_back()
    page.get_by_role("link", name="Comptabilité").first.click()
    audit("comptabilité du relais")
    logout()

    login(mission.consultant.user.email, PASSWORD)
    page.goto("/accueil/")
    audit("accueil du consultant")
    page.goto("/missions/")
    audit("missions du consultant")
    page.goto(f"/missions/{mission.pk}/")
    audit("espace de mission")
    halfday = page.locator("#halfday-form")
    halfday.evaluate("form => { form.noValidate = true; }")  # let the server judge it
    halfday.get_by_role("button", name="Enregistrer la demi-journée").click()
    page.wait_for_load_state()
    assert errors_are_described(page)
    audit("espace de mission — demi-journée en erreur")
    logout()

    login(trainer.email, PASSWORD)
    page.goto("/accueil/")
    audit("accueil du formateur")
    logout()

    # The second factor, required for the director: first set-up, then the code at each login.
    _password_step(page, director.email)
    assert "/compte/double-authentification/" in page.url
    audit("configuration de la double authentification")
    otp_step(page, director.email)
    logout()
    _password_step(page, director.email)
    assert "/compte/verification/" in page.url
    audit("code de double authentification")
    otp_step(page, director.email)
    page.goto("/accueil/")
    audit("accueil du directeur de projet")
    page.goto("/tableau-de-bord/")
    charts = page.locator(".chart svg[role='img']")
    assert charts.count() >= 3 and charts.first.locator("title").count() >= 1
    audit("tableau de bord du financement")
    page.goto("/registre-de-minimis/")
    audit("registre des aides de minimis")
    page.goto("/consultants/file-attente/")
    audit("file d'attente des désignations")
    page.goto("/consultants/")
    audit("vivier des consultants, avec leurs résultats (directeur)")
    page.goto(f"/consultants/{mission.consultant.pk}/")
    audit("fiche d'un consultant, avec ses résultats (directeur)")
    network = _network(mission, director)
    page.goto(reverse("collective:group_network", args=[network.group_id]))
    audit("réseau d'un groupe : consentements des membres (directeur)")
    logout()

    # The group's network as a member sees it, and the owner's consent form (and its error).
    login(mission.enrolment.company.owner.email, PASSWORD)
    page.goto(reverse("collective:network_consent", args=[network.pk]))
    audit("consentement au réseau du groupe (chef d'entreprise)")
    page.get_by_label("Une personne à contacter et son e-mail").check()
    page.get_by_label("E-mail de la personne à contacter").fill("")
    page.get_by_role("button", name="Enregistrer mes choix").click()
    page.wait_for_load_state()
    assert errors_are_described(page)
    audit("consentement au réseau du groupe — en erreur")
    page.goto(reverse("collective:group_network", args=[network.group_id]))
    audit("réseau d'un groupe : cartes des membres (chef d'entreprise)")
    logout()

    # The owner's satisfaction questionnaire at closing (signed link, no account), and its
    # error state.
    with zeal_ignore():
        survey = SatisfactionSurvey.objects.create(mission=mission)
    page.goto(
        reverse("collective:satisfaction_answer", args=[survey.pk, survey_token(survey=survey)])
    )
    audit("questionnaire de satisfaction (lien signé)")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_load_state()
    assert errors_are_described(page)
    audit("questionnaire de satisfaction — en erreur")

    login(region.email, PASSWORD)
    page.goto("/accueil/")
    assert page.url.endswith("/tableau-de-bord/")  # the Region's home is its dashboard
    audit("accueil de la Région (tableau de bord)")
    logout()

    login(admin.email, PASSWORD)
    page.goto("/accueil/")
    audit("accueil de l'administrateur")
    page.goto("/admin/")
    audit("administration Django (index)")


def _network(mission, director) -> NetworkConsent:
    """The mission's company in a group of its relay, its owner consented to show a card."""
    company = mission.enrolment.company
    with zeal_ignore():
        group = group_create(
            relay=company.relay, departement=company.departement, name="Groupe A11y", by=director
        )
        group_member_add(group=group, enrolment=mission.enrolment, by=director)
        consent = NetworkConsent.objects.get(group=group, company=company)
        return network_consent_give(
            consent=consent,
            by=company.owner,
            show_name=True,
            show_town=True,
            show_work=True,
            working_on="Réduire les encours.",
        )


def _public_pages(page, audit):
    page.goto("/")
    audit("page d'accueil publique")
    page.goto("/accounts/login/")
    audit("connexion")
    page.get_by_label("Adresse e-mail").fill("personne@a11y.test")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "aisissez" in page.get_by_role("alert").first.inner_text()  # announced, in French
    audit("connexion refusée")


def _owner_journey(page, audit):
    """The owner's journey, each page and each form in its error state: no violation at all."""

    def check(name):
        audit(name, strict=True)

    page.goto("/")
    page.get_by_role("link", name="Inscrire mon entreprise").first.click()
    check("création du compte")
    page.fill("#id_email", "pas-une-adresse")
    page.fill("#id_password1", "Decolletage-2007!")
    page.fill("#id_password2", "autre-chose")
    page.get_by_role("button", name="Créer mon compte").click()
    messages = errors_are_described(page, at_least=3)
    assert any("adresse" in m.lower() for m in messages), messages
    assert page.locator("#error-summary a").count() >= 3  # the summary links to each field
    check("création du compte en erreur")
    page.fill("#id_first_name", "Christine")
    page.fill("#id_last_name", "Morel")
    page.fill("#id_email", "c.morel@a11y.test")
    page.fill("#id_password1", "Decolletage-2007!")
    page.fill("#id_password2", "Decolletage-2007!")
    page.get_by_role("button", name="Créer mon compte").click()
    check("SIRET de l'établissement")

    page.get_by_label("SIRET de l'établissement").fill("12AB")
    page.get_by_role("button", name="Continuer").click()
    assert any("chiffres" in m for m in errors_are_described(page))
    check("SIRET en erreur")
    page.get_by_label("SIRET de l'établissement").fill(REGISTER_SIRET[:13])
    page.get_by_role("button", name="Continuer").click()
    errors_are_described(page)
    assert "vous en avez saisi 13" in page.locator("#error-summary").inner_text()
    page.get_by_label("SIRET de l'établissement").fill(REGISTER_SIRET)
    page.get_by_role("button", name="Continuer").click()
    check("identité de l'entreprise")

    page.fill("#id_postcode", "7")
    page.fill("#id_naf_code", "")
    page.get_by_role("button", name="Continuer").click()
    assert any("5 chiffres" in m for m in errors_are_described(page, at_least=2))
    check("identité de l'entreprise en erreur")
    page.fill("#id_postcode", "74300")
    page.fill("#id_naf_code", "25.62B")
    page.fill("#id_headcount", "35")
    page.fill("#id_turnover", "4 200 000,00")
    page.get_by_role("button", name="Continuer").click()
    check("autodiagnostic, premier thème (entreprise éligible)")

    page.get_by_role("button", name="Continuer", exact=True).click()
    page.wait_for_load_state()
    assert errors_are_described(page, at_least=5)  # each unanswered question, announced
    check("autodiagnostic, thème en erreur")
    questions = list(
        Question.objects.filter(questionnaire__is_active=True)
        .order_by("theme__position", "position")
        .values_list("code", "theme__code", "theme__position")
    )
    themes = list(dict.fromkeys(position for _c, _t, position in questions))
    for number, position in enumerate(themes, start=1):
        for code, theme, pos in questions:
            if pos == position:
                page.check(f"#q-{code}-{0 if theme == 'stocks' else 3}")
        if number == 2:
            page.locator("#theme-summary summary").click()
            check("autodiagnostic, thème avec le récapitulatif ouvert")
        last = number == len(themes)
        name = "Terminer et voir mes résultats" if last else "Continuer"
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_load_state()
    chart = page.locator("figure.diagnosis-chart svg[role='img']")
    assert "Stocks" in chart.locator("desc").first.text_content()
    check("résultats et graphique radar")

    page.get_by_role("link", name="Continuer : pilotes et offre").click()
    check("pilotes et offre")
    page.get_by_role("link", name="Déclarer mes aides de minimis").click()
    check("déclaration des aides de minimis")
    page.get_by_role("link", name="Retour au choix de l'offre").click()
    page.fill("#id_pilot1-first_name", "Karim")
    page.fill("#id_pilot1-email", "pas-une-adresse")
    page.get_by_role("button", name="Continuer").click()
    errors_are_described(page)
    check("pilotes et offre en erreur")
    page.fill("#id_pilot1-last_name", "Benali")
    page.fill("#id_pilot1-job_title", "Responsable de production")
    page.fill("#id_pilot1-email", "k.benali@a11y.test")
    page.get_by_role("button", name="Continuer").click()
    check("vérifiez vos réponses")
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert re.search("PME-", page.locator("#reference").inner_text())
    assert Enrolment.objects.filter(company__siret=REGISTER_SIRET).exists()
    check("demande envoyée (confirmation)")
    page.goto("/accueil/")
    check("accueil du chef d'entreprise (dossier)")
    enrolment = Enrolment.objects.get(company__siret=REGISTER_SIRET)
    page.goto(f"/inscription/{enrolment.pk}/")
    check("dossier de l'entreprise")
    for url, name in [
        ("/accessibilite/", "déclaration d'accessibilité"),
        ("/mentions-legales/", "mentions légales"),
        ("/donnees-personnelles/", "données personnelles et cookies"),
    ]:
        page.goto(url)
        check(name)
