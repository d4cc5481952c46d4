"""The owner's journey page by page: honest pre-fill, reading creates nothing, one theme per
page, the check page, the receipt and its e-mail, and one status told the same everywhere."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from zeal import zeal_ignore

from agreements.models import Agreement
from catalogue.models import Offer
from diagnostics.models import Diagnosis, Question
from diagnostics.services import diagnosis_start
from enrolment.dossier import owner_status_for
from enrolment.models import Company, Enrolment, EnrolmentState, state_writer
from enrolment.notifications import request_sent_email
from tests.builders import enrolment_at as build_enrolment_at
from tests.enrolment.conftest import REGISTER_SIRET
from tests.enrolment.helpers import PILOT, diagnosed_enrolment, eligible_enrolment
from tests.factories import EnrolmentFactory, UserFactory
from tests.groups.factories import enrolment_at

pytestmark = pytest.mark.django_db
S = EnrolmentState


def _text(page: str, pattern: str) -> str:
    match = re.search(pattern, page, re.S)
    assert match, f"not found: {pattern}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


# --- SIRET and the company register -------------------------------------------------------------


@pytest.mark.parametrize("typed, count", [("7328293200007", 13), ("732829320000741", 15)])
def test_a_siret_of_the_wrong_length_says_how_many_digits_were_typed(client, typed, count):
    client.force_login(UserFactory())
    page = client.post(reverse("enrolment:start"), {"siret": typed}).content.decode()
    assert f"Le SIRET compte 14 chiffres (vous en avez saisi {count})" in html.unescape(page)
    assert "que des chiffres" not in page
    assert 'id="error-summary"' in page  # the summary at the top links to the field
    assert 'href="#id_siret"' in page


def test_register_down_leaves_the_form_empty_and_says_so(client, silent_register):
    client.force_login(UserFactory())
    response = client.post(reverse("enrolment:start"), {"siret": REGISTER_SIRET}, follow=True)
    page = html.unescape(response.content.decode())
    assert "ne répond pas en ce moment" in page and "Saisissez les informations" in page
    company = Company.objects.get(siret=REGISTER_SIRET)
    assert company.name == ""  # no made-up name, anywhere
    assert 'name="name" value=' not in page and REGISTER_SIRET in page
    assert "Entreprise " + REGISTER_SIRET not in page
    assert str(company) == f"Établissement SIRET {REGISTER_SIRET} (raison sociale à compléter)"


def test_register_answers_prefills_and_says_to_check(client, company_register):
    client.force_login(UserFactory())
    response = client.post(reverse("enrolment:start"), {"siret": REGISTER_SIRET}, follow=True)
    page = html.unescape(response.content.decode())
    assert "pré-rempli" in page and 'value="DECOLLETAGE DU MONT-BLANC"' in page


# --- the self-diagnosis, one theme per page -----------------------------------------------------


def test_reading_the_diagnosis_page_creates_nothing(client):
    enrolment = eligible_enrolment()
    client.force_login(enrolment.company.owner)
    url = reverse("enrolment:diagnosis", args=[enrolment.pk])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert "Commencer l'autodiagnostic" in html.unescape(response.content.decode())
    assert not Diagnosis.objects.filter(company=enrolment.company).exists()
    # starting is a POST; a second one resumes the same draft
    first = client.post(url)
    assert client.post(url).url == first.url
    assert Diagnosis.objects.filter(company=enrolment.company).count() == 1
    # and once a draft exists, the page resumes it instead of starting anything
    draft = Diagnosis.objects.get(company=enrolment.company)
    assert client.get(url).url == reverse("diagnostics:theme", args=[draft.pk, 1])


def _theme_codes(diagnosis, number):
    themes = list(
        Question.objects.filter(questionnaire=diagnosis.questionnaire)
        .order_by("theme__position", "position")
        .values_list("theme_id", "code")
    )
    order = list(dict.fromkeys(t for t, _c in themes))
    return [c for t, c in themes if t == order[number - 1]]


def test_a_theme_page_shows_its_questions_numbered_on_the_scale_and_its_step(client):
    enrolment = eligible_enrolment()
    owner = enrolment.company.owner
    draft = diagnosis_start(company=enrolment.company, by=owner, enrolment=enrolment)
    client.force_login(owner)
    page = html.unescape(
        client.get(reverse("diagnostics:theme", args=[draft.pk, 2])).content.decode()
    )
    assert "Étape 3 sur 6" in page and "Autodiagnostic</strong>, thème 2 sur 9" in page
    assert "<title>Délais — Autodiagnostic, thème 2 sur 9" in page
    assert page.count('class="question-number"') == 5  # one theme, not 45 questions
    assert '<span class="level-badge">0</span> <span class="fw-semibold">Inexistant</span>' in page
    assert "(version 1)" not in page
    assert 'id="diagnosis-progress"' in page and 'max="45"' in page


def test_continue_checks_the_theme_then_moves_on_and_the_last_one_gives_the_results(client):
    enrolment = eligible_enrolment()
    owner = enrolment.company.owner
    draft = diagnosis_start(company=enrolment.company, by=owner, enrolment=enrolment)
    client.force_login(owner)
    first = reverse("diagnostics:theme", args=[draft.pk, 1])
    codes = _theme_codes(draft, 1)
    response = client.post(first, {f"q-{codes[0]}": "2", "action": "next"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Il y a un problème" in page and f'href="#q-{codes[1]}-0"' in page
    assert f'id="q-{codes[0]}-2" value="2" checked' in page  # the answer is kept (and saved)
    assert 'aria-invalid="true"' in page
    response = client.post(first, {**{f"q-{c}": "3" for c in codes}, "action": "next"})
    assert response.url == reverse("diagnostics:theme", args=[draft.pk, 2])
    # "Enregistrer et reprendre plus tard" keeps the answers and leads to the dossier
    response = client.post(
        reverse("diagnostics:theme", args=[draft.pk, 2]),
        {f"q-{_theme_codes(draft, 2)[0]}": "1", "action": "later"},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == reverse("enrolment:status", args=[enrolment.pk])
    assert "Vous reprendrez au thème 2 sur 9" in page
    assert "Reprendre l'autodiagnostic" in page and "6 questions sur 45" in page
    for number in range(2, 10):
        url = reverse("diagnostics:theme", args=[draft.pk, number])
        response = client.post(
            url, {**{f"q-{c}": "3" for c in _theme_codes(draft, number)}, "action": "next"}
        )
    assert response.url == reverse("diagnostics:results", args=[draft.pk])
    enrolment.refresh_from_db()
    assert enrolment.state == S.DIAGNOSED
    results = html.unescape(client.get(response.url).content.decode())
    assert "Autodiagnostic</strong>, résultats" in results
    assert "Continuer : pilotes et offre" in results


# --- pilots and offer, check page, confirmation ------------------------------------------------


def _offer_data(enrolment, code="ciblee", **extra):
    from diagnostics.models import Theme

    data = {
        "version": enrolment.version,
        "offer": Offer.objects.get(code=code).pk,
        "problem_theme": Theme.objects.get(code="stocks").pk,
        **{f"pilot1-{k}": v for k, v in PILOT.items()},
    }
    data.update(extra)
    return data


def test_the_offer_page_shows_only_the_chosen_offers_fields(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    client.force_login(enrolment.company.owner)
    page = client.get(reverse("enrolment:offer", args=[enrolment.pk])).content.decode()
    # ciblée recommended: its problem is shown, the approfondie's second pilot is hidden
    assert re.search(r'data-show-for="ciblee"\s*>', page)
    assert re.search(r'data-show-for="approfondie" hidden>', page)
    assert "---------" not in page and "Choisissez le problème à traiter" in html.unescape(page)


def test_check_page_lists_every_answer_with_modifier_and_the_price(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    client.force_login(enrolment.company.owner)
    response = client.post(reverse("enrolment:offer", args=[enrolment.pk]), _offer_data(enrolment))
    review = reverse("enrolment:review", args=[enrolment.pk])
    assert response.url == review
    page = html.unescape(client.get(review).content.decode())
    assert "Étape 5 sur 6" in page and '<h1 class="h3">Vérifiez vos réponses</h1>' in page
    sections = ("Votre entreprise", "Éligibilité", "Votre pilote interne", "Offre")
    for section in (*sections, "Aides de minimis"):
        assert section in page
    assert page.count(">Modifier<") == 5  # the four above and the de minimis declaration
    assert f"{reverse('enrolment:company', args=[enrolment.pk])}?retour=verification" in page
    price = _text(page, r'id="check-price">(.*?)</dl>')
    assert "Vous payez HT2\u202f440,00\u00a0€" in price
    assert "TVA (20,00 %)488,00\u00a0€" in price
    assert "Vous payez TTC2\u202f928,00\u00a0€" in price
    assert "La Région finance HT4\u202f000,00\u00a0€" in price
    assert "Karim Benali" in page and "Stocks" in page


def test_correcting_the_company_from_the_check_page_rechecks_eligibility(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    client.force_login(enrolment.company.owner)
    client.post(reverse("enrolment:offer", args=[enrolment.pk]), _offer_data(enrolment))
    enrolment.refresh_from_db()
    company = enrolment.company
    url = reverse("enrolment:company", args=[enrolment.pk]) + "?retour=verification"
    data = {
        "name": "Nouvelle raison sociale",
        "naf_code": company.naf_code,
        "headcount": "40",
        "turnover": "4 800 000,00",
        "balance_sheet_total": "",
        "address": company.address,
        "postcode": company.postcode,
        "city": company.city,
        "version": enrolment.version,
        "intent": "correct",
        "retour": "verification",
    }
    response = client.post(url, data)
    assert response.url == reverse("enrolment:review", args=[enrolment.pk])
    company.refresh_from_db()
    assert company.name == "Nouvelle raison sociale"
    enrolment.refresh_from_db()
    refused = client.post(url, {**data, "headcount": "400", "version": enrolment.version})
    assert refused.status_code == 400
    assert "ne serait plus éligible" in html.unescape(refused.content.decode())
    company.refresh_from_db()
    assert company.headcount == 40


def test_sending_gives_a_receipt_and_the_same_in_an_email(client, settings):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    relay = enrolment.company.relay
    relay.email, relay.phone = "contact@afpi.test", "04 72 00 00 01"
    relay.save()
    client.force_login(enrolment.company.owner)
    client.post(reverse("enrolment:offer", args=[enrolment.pk]), _offer_data(enrolment))
    enrolment.refresh_from_db()
    review = reverse("enrolment:review", args=[enrolment.pk])
    response = client.post(review, {"version": enrolment.version}, follow=True)
    page = html.unescape(response.content.decode())
    reference = f"PME-{enrolment.pk:06d}"
    assert "Étape 6 sur 6" in page and "Demande envoyée" in page
    assert _text(page, r'id="reference">(.*?)</strong>') == reference
    assert "sous 10 jours ouvrés, d'ici le" in page
    contact = _text(page, r'id="relay-contact">(.*?)</div>')
    assert relay.name in contact and "contact@afpi.test" in contact and "04 72 00 00 01" in contact
    enrolment.refresh_from_db()
    email = request_sent_email(enrolment=enrolment)
    email.send()
    sent = mail.outbox[-1]
    assert reference in sent.subject and reference in sent.body
    assert "sous 10 jours ouvrés" in sent.body
    assert "contact@afpi.test" in sent.body and "04 72 00 00 01" in sent.body
    assert sent.to == [enrolment.company.owner.email]


def test_a_stale_check_page_says_so_without_talking_of_fields(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    client.force_login(enrolment.company.owner)
    client.post(reverse("enrolment:offer", args=[enrolment.pk]), _offer_data(enrolment))
    enrolment.refresh_from_db()
    response = client.post(
        reverse("enrolment:review", args=[enrolment.pk]), {"version": enrolment.version - 1}
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Les réponses ci-dessous sont à jour" in page
    assert "saisies sont conservées" not in page


# --- one status, told the same on the home, the dossier and the agreement page -----------------


def _agreement(enrolment, *, status=Agreement.Status.ISSUED):
    return Agreement.objects.create(
        enrolment=enrolment,
        version=1,
        file=ContentFile(b"%PDF-1.4 test", name="c.pdf"),
        sha256="0" * 64,
        content_hash="0" * 64,
        status=status,
    )


def _at(state: str) -> Enrolment:
    with zeal_ignore():
        if state == S.DRAFT:
            return EnrolmentFactory()
        if state == S.SUBMITTED:  # a row an earlier version left (submission now evaluates)
            with state_writer():
                return EnrolmentFactory(state=S.SUBMITTED)
        if state == S.INELIGIBLE:
            return build_enrolment_at(S.INELIGIBLE, headcount=300)  # too big: not an SME
        enrolment = enrolment_at(state)
        if state == S.CONSULTANT_ASSIGNED:
            _agreement(enrolment)
        return enrolment


@pytest.mark.parametrize("state", [s.value for s in EnrolmentState])
def test_home_dossier_and_agreement_page_tell_the_same_status(client, state):
    enrolment = _at(state)
    enrolment.refresh_from_db()
    told = owner_status_for(enrolment)
    client.force_login(enrolment.company.owner)
    home = client.get(reverse("core:home")).content.decode()
    dossier = client.get(reverse("enrolment:status", args=[enrolment.pk])).content.decode()
    agreement = client.get(reverse("agreements:agreement_detail", args=[enrolment.pk]))
    agreement = agreement.content.decode()
    status_pattern = r'<span class="owner-status"[^>]*>(.*?)</span>'
    assert _text(home, status_pattern) == told.title
    assert _text(dossier, status_pattern) == told.title
    assert _text(agreement, r'id="state">(.*?)</span>') == told.title
    agreement_pattern = r'<span class="agreement-status">(.*?)</span>'
    assert _text(home, agreement_pattern) == told.agreement
    assert _text(dossier, agreement_pattern) == told.agreement
    assert _text(agreement, r'id="agreement-status">(.*?)</p>') == f"Convention : {told.agreement}"
    to_sign = state == S.CONSULTANT_ASSIGNED
    assert ("À signer" in told.agreement) is to_sign
    assert ("Lire et signer la convention" in home) is to_sign
    assert "Conventions à signer" not in home
    if state in (S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED):
        assert told.agreement.startswith("Signée") and "Pas encore" not in agreement
    # the history reads as sentences, never as codes
    timeline = _text(dossier, r'id="timeline">(.*?)</ol>')
    assert "_" not in timeline and "agreement_issued" not in timeline


def test_the_one_next_action_is_a_button_on_the_home(client):
    enrolment = diagnosed_enrolment(weak=("stocks",))
    client.force_login(enrolment.company.owner)
    home = html.unescape(client.get(reverse("core:home")).content.decode())
    assert home.count('id="next-action"') == 1
    assert "Choisir l'offre et nommer les pilotes" in home
    # "Mon entreprise" (the sign-up page) leads an enrolled owner to the dossier, not a new form
    response = client.get(reverse("enrolment:start"))
    assert response.url == reverse("enrolment:offer", args=[enrolment.pk])
