"""The relay's dossier page (issue 16): header with the state's one primary action, sections
linking to their full pages, secondary actions in a side panel, one history in words, the
thread, read-only for the Region, and a number of queries that does not grow with the dossier.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from zeal import zeal_ignore

from consultants.models import Mission
from core.models import Relay, TimelineEvent
from diagnostics.models import Diagnosis
from enrolment import thread
from enrolment.models import Enrolment, EnrolmentState
from enrolment.staff_dossier import primary_action
from tests.builders import enrolment_at, issue_agreement, relay_staff_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = EnrolmentState


def _page(client, user, enrolment) -> str:
    client.force_login(user)
    response = client.get(reverse("enrolment:staff_detail", args=[enrolment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, key: str) -> str:
    return html.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]


def test_the_header_says_who_where_and_offers_the_one_action_of_the_state(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN, name="Tôlerie Fine")
        staff = relay_staff_for(enrolment)
    html = _page(client, staff, enrolment)
    header = html.split('id="dossier-header"', 1)[1].split("</header>", 1)[0]
    assert "Tôlerie Fine" in header and enrolment.company.siret in header
    assert "Offre choisie" in header
    assert "attend la validation de la structure relais" in header
    primary = header.split('id="primary-action"', 1)[1]
    assert f'action="/inscriptions/{enrolment.pk}/validate/"' in primary
    assert "data-confirm=" in primary and 'id="validate"' in primary
    # the secondary actions sit in the side panel, the irreversible ones ask first
    side = html.split('id="side-actions"', 1)[1]
    for action in ("send_back", "withdraw"):
        form = side.split(f"/{action}/", 1)[1].split(">", 1)[0]
        assert "data-confirm=" in form, action
    # attaching to another relay has its own page (the dossier page lists no relays)
    assert reverse("enrolment:staff_reattach", args=[enrolment.pk]) in side
    assert "<option" not in side
    assert "Valider l&#x27;inscription" not in side and "Valider l'inscription" not in side


def test_the_region_reads_the_whole_dossier_and_gets_no_form(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        region = UserFactory(region=True)
    html = _page(client, region, enrolment)
    assert "Consultation seule" in html
    for marker in ('id="primary-action"', 'id="side-actions"', 'id="message-form"', "/validate/"):
        assert marker not in html
    for key in ("demande", "autodiagnostic", "convention", "mission", "comptabilite"):
        assert f'id="{key}"' in html
    assert 'id="historique"' in html and 'id="messages"' in html


def test_each_section_links_to_its_full_page_and_those_pages_answer(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.IN_PROGRESS, offer="ciblee")
        staff = relay_staff_for(enrolment)
        mission = Mission.objects.get(enrolment=enrolment)
        diagnosis = Diagnosis.objects.filter(enrolment=enrolment).latest("submitted_at")
    html = _page(client, staff, enrolment)
    company = enrolment.company
    expected = {
        "demande": reverse("enrolment:company_detail", args=[company.pk]),
        "autodiagnostic": reverse("diagnostics:results", args=[diagnosis.pk]),
        "convention": reverse("agreements:agreement_detail", args=[enrolment.pk]),
        "mission": reverse("consultants:mission", args=[mission.pk]),
        "comptabilite": reverse("funding:company_statement", args=[company.relay.slug, company.pk]),
    }
    for key, url in expected.items():
        assert f'href="{url}"' in _section(html, key), key
        assert client.get(url).status_code == 200, key
    assert "demi-journées réalisées sur" in _section(html, "mission")
    pdf = reverse("agreements:agreement_download", args=[enrolment.pk, 1])
    assert f'href="{pdf}"' in _section(html, "convention")
    assert "reste dû par l'entreprise" in _section(html, "comptabilite").replace("&#x27;", "'")
    # the primary action of a running mission opens it
    assert (
        reverse("consultants:mission", args=[mission.pk])
        in html.split('id="primary-action"', 1)[1].split("</div>", 1)[0]
    )


def test_one_history_in_words_merges_events_and_changes(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        staff = relay_staff_for(enrolment)
        # the company's address was never given: no dangling comma
        type(enrolment.company).objects.filter(pk=enrolment.company_id).update(address="")
    client.force_login(staff)
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "note"]), {"text": "Appeler lundi."}
    )
    html = _page(client, staff, enrolment)
    history = _section(html, "historique")
    assert html.count('id="timeline"') == 1 and 'id="audit-history"' not in html
    assert "Demande envoyée à la structure relais" in history
    assert "Appeler lundi." in history and "note interne" in history
    assert "Pilote interne : création (Karim Pilote1)" in history
    for code in ("offer_chosen", "diagnosed", "transition", "(mis à jour) → (mis à jour)"):
        assert code not in history
    assert "Résultat de l&#x27;éligibilité mis à jour" in history
    demande = _section(html, "demande")
    assert ", 69" not in demande and '<dd class="col-sm-8">, ' not in demande


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_s_queries_do_not_grow_with_messages_and_history(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.IN_PROGRESS)
        staff = relay_staff_for(enrolment)
        owner = enrolment.company.owner
        thread.message_post(enrolment=enrolment, by=owner, text="Premier message")
    client.force_login(staff)
    url = reverse("enrolment:staff_detail", args=[enrolment.pk])
    _count(client, url)  # the first view marks the message read
    few = _count(client, url)
    with zeal_ignore():
        for i in range(15):
            thread.message_post(enrolment=enrolment, by=owner, text=f"Message {i}")
            thread.message_post(enrolment=enrolment, by=staff, text=f"Réponse {i}")
            locked = Enrolment.objects.get(pk=enrolment.pk)
            locked.difficulty = f"Difficulté n° {i}"
            locked.save()
    _count(client, url)
    assert _count(client, url) == few


def test_the_primary_action_follows_the_state_and_the_role():
    with zeal_ignore():
        diagnosed = enrolment_at(S.DIAGNOSED)
        validated = enrolment_at(S.VALIDATED)
        assigned = enrolment_at(S.CONSULTANT_ASSIGNED)
        staff = relay_staff_for(validated)
        director = UserFactory(director=True)
    waiting = primary_action(diagnosed, staff)
    assert (waiting.label, waiting.url) == ("Écrire à l'entreprise", "#messages")
    queue = reverse("consultants:queue_detail", args=[validated.pk])
    assert primary_action(validated, director).label == "Désigner le consultant"
    assert primary_action(validated, director).url == queue
    assert primary_action(validated, staff).label == "Voir les consultants proposés"
    generating = primary_action(assigned, relay_staff_for(assigned))
    assert generating.waiting == "La convention est en cours de génération."
    with zeal_ignore():
        issue_agreement(assigned)
    convention = primary_action(assigned, relay_staff_for(assigned))
    assert convention.label == "Enregistrer la convention signée"
    assert convention.url == reverse("agreements:agreement_detail", args=[assigned.pk])


def test_the_company_is_attached_to_another_relay_on_its_own_page_with_a_reason(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN, name="Tôlerie Fine")
        staff = relay_staff_for(enrolment)
        other = Relay.objects.exclude(pk=enrolment.company.relay_id).order_by("pk").first()
    client.force_login(staff)
    url = reverse("enrolment:staff_reattach", args=[enrolment.pk])
    page = client.get(url).content.decode()
    assert 'id="reattach-form"' in page and "data-confirm=" in page
    assert f'<option value="{other.pk}"' in page
    # the same relay, or none: a message in French, nothing changed
    same = client.post(url, {"relay": enrolment.company.relay_id, "reason": "Erreur"})
    assert same.status_code == 400
    assert "déjà rattachée" in same.content.decode()
    assert client.post(url, {"relay": "", "reason": ""}).status_code == 400
    enrolment.company.refresh_from_db()
    assert enrolment.company.relay_id != other.pk
    # another relay: the dossier leaves this relay's list, the reason stays in the history
    response = client.post(url, {"relay": other.pk, "reason": "Adhérent de l'autre réseau"})
    assert response.status_code == 302 and response["Location"] == reverse("enrolment:staff_list")
    enrolment.company.refresh_from_db()
    assert enrolment.company.relay_id == other.pk
    event = TimelineEvent.objects.get(object_id=enrolment.pk, verb="reattached")
    assert "Adhérent de l'autre réseau" in event.message and event.internal
    assert client.get(url).status_code == 404  # no longer this relay's dossier
