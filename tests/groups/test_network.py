"""The group's network: each member's consent, the group page, and nothing shown without it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from api.services import api_token_create
from collective import network
from collective.groups import group_create, group_member_add, group_member_remove, seminar_create
from collective.models import NetworkConsent
from consultants.models import Mission
from core.exceptions import BusinessRuleError
from core.models import Departement, OutboxMessage, Relay, TimelineEvent
from core.personal_data import person_anonymise, person_find, personal_data_collect
from enrolment.models import EnrolmentState
from tests.core.authz_matrix import EXPECTATIONS, LOGIN, OWNER
from tests.core.test_authorization_matrix import is_admin, url_entries
from tests.factories import UserFactory

from .factories import enrolment_at, staff_of

S = EnrolmentState
pytestmark = pytest.mark.django_db

SILENT = "Zorglub Mécanique Discrète"  # a member who never consented
SHOWN = "Alpha Décolletage"  # a member who consented
FORMER = "Gamma Fonderie"  # a former member who consented
GIVE = {
    "show_name": "on",
    "show_town": "on",
    "show_contact": "on",
    "contact_name": "Claire Vautrin",
    "contact_email": "claire.vautrin@alpha.example",
    "activity": "Décolletage de précision",  # typed, but its box is not ticked: not kept
}


@pytest.fixture
def world():
    """A group of the Afpi (Rhône) with A (in progress: the walker), B (never consented) and C
    (consented, then left the group); a seminar; and a group of another relay."""
    with zeal_ignore():
        staff = staff_of("afpi")
        a = enrolment_at(S.IN_PROGRESS, staff=staff, name=SHOWN, city="Vénissieux")
        b = enrolment_at(S.VALIDATED, staff=staff, name=SILENT, city="Bron")
        c = enrolment_at(S.VALIDATED, staff=staff, name=FORMER, city="Givors")
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe Lyon Sud",
            by=staff,
        )
        memberships = {
            key: group_member_add(group=group, enrolment=e, by=staff)
            for key, e in (("a", a), ("b", b), ("c", c))
        }
        starts = timezone.now() + dt.timedelta(days=7)
        seminar = seminar_create(
            group=group,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="Salle du relais",
            title="Atelier flux",
            by=staff,
        )
        consents = {
            key: NetworkConsent.objects.get(group=group, company=e.company)
            for key, e in (("a", a), ("b", b), ("c", c))
        }
        network.network_consent_give(
            consent=consents["c"],
            by=c.company.owner,
            show_name=True,
            show_work=True,
            working_on="Réduire les encours",
        )
        group_member_remove(membership=memberships["c"], reason="Mission terminée", by=staff)
        other = staff_of("thesame")
        owners = {key: e.company.owner for key, e in (("a", a), ("b", b), ("c", c))}
    return {
        "owners": owners,
        "staff": staff,
        "other_staff": other,
        "a": a,
        "b": b,
        "c": c,
        "group": group,
        "seminar": seminar,
        "consents": consents,
    }


def _page(client, user, group) -> str:
    client.force_login(user)
    response = client.get(reverse("collective:group_network", args=[group.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- consent: opened at joining, given by the owner only, fields chosen ----------------------


def test_joining_opens_a_pending_consent_and_shows_nothing_until_the_owner_chooses(client, world):
    consent = world["consents"]["b"]
    assert consent.state == NetworkConsent.State.PENDING
    body = _page(client, world["owners"]["a"], world["group"])
    assert SILENT not in body
    assert "pas encore choisi ce que les autres membres voient" in body  # A's own choice
    assert SHOWN not in _page(client, world["owners"]["b"], world["group"])  # nor A's
    assert FORMER in body and "ancien membre" in body and "Réduire les encours" in body


def test_the_owner_chooses_the_fields_and_the_card_shows_only_those(client, world):
    owner = world["owners"]["a"]
    consent = world["consents"]["a"]
    client.force_login(owner)
    url = reverse("collective:network_consent", args=[consent.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Donner mon consentement" in form.content.decode()
    response = client.post(url, GIVE)
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.state == NetworkConsent.State.GIVEN and consent.version == 1
    assert consent.activity == ""  # not ticked: not kept
    assert consent.chosen_fields == [
        "raison sociale",
        "commune",
        "personne à contacter et son e-mail",
    ]
    assert TimelineEvent.objects.filter(verb="network.consent_given").count() == 2  # C and A
    assert OutboxMessage.objects.filter(key=f"network-consent:{consent.pk}:v1").exists()

    body = _page(client, world["owners"]["b"], world["group"])  # another member
    assert SHOWN in body and "Vénissieux" in body and "claire.vautrin@alpha.example" in body
    assert "Décolletage de précision" not in body


def test_a_contact_without_e_mail_is_refused_in_french(client, world):
    client.force_login(world["owners"]["a"])
    url = reverse("collective:network_consent", args=[world["consents"]["a"].pk])
    response = client.post(url, {"show_contact": "on", "contact_name": "Claire Vautrin"})
    assert response.status_code == 400
    assert "Indiquez l&#x27;e-mail de la personne à contacter." in response.content.decode()
    nothing = client.post(url, {})
    assert "Cochez au moins une information" in nothing.content.decode()
    world["consents"]["a"].refresh_from_db()
    assert world["consents"]["a"].state == NetworkConsent.State.PENDING


def test_only_the_owner_gives_or_withdraws(world):
    consent, owners = world["consents"]["b"], world["owners"]
    with zeal_ignore():  # three refusals in a row: the same lookups on purpose
        with pytest.raises(BusinessRuleError, match="Seul le chef d'entreprise"):
            network.network_consent_give(consent=consent, by=world["staff"], show_name=True)
        with pytest.raises(BusinessRuleError, match="Seul le chef d'entreprise"):
            network.network_consent_give(consent=consent, by=owners["a"], show_name=True)
        with pytest.raises(BusinessRuleError, match="pas de consentement en cours"):
            network.network_consent_withdraw(consent=consent, by=owners["b"])


# --- withdrawal: at once ---------------------------------------------------------------------


def test_withdrawal_takes_effect_at_once(client, world):
    a_owner, b_owner = world["owners"]["a"], world["owners"]["b"]
    consent = network.network_consent_give(
        consent=world["consents"]["a"],
        by=a_owner,
        **{k: v for k, v in GIVE.items() if k != "activity"},
    )
    assert SHOWN in _page(client, b_owner, world["group"])

    client.force_login(a_owner)
    response = client.post(reverse("collective:network_consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302

    body = _page(client, b_owner, world["group"])  # the very next request
    assert SHOWN not in body and "claire.vautrin" not in body and "Vénissieux" not in body
    consent.refresh_from_db()
    assert consent.state == NetworkConsent.State.WITHDRAWN and consent.withdrawn_at
    assert (consent.contact_name, consent.contact_email, consent.working_on) == ("", "", "")
    assert TimelineEvent.objects.filter(verb="network.consent_withdrawn").count() == 1
    # the staff see it withdrawn; given again, the card comes back
    staff_body = _page(client, world["staff"], world["group"])
    assert "Consentement retiré" in staff_body
    with zeal_ignore():  # the same action a second time in the test
        network.network_consent_give(consent=consent, by=a_owner, show_name=True)
    assert SHOWN in _page(client, b_owner, world["group"])


# --- who sees the page -----------------------------------------------------------------------


def test_former_members_keep_the_page_and_strangers_get_404(client, world):
    group = world["group"]
    url = reverse("collective:group_network", args=[group.pk])
    assert FORMER in _page(client, world["owners"]["c"], group)  # left, still a member
    with zeal_ignore():
        stranger = enrolment_at(S.VALIDATED, name="Étrangère SARL").company.owner
    for user, status in [
        (stranger, 404),  # an owner of no member company
        (world["other_staff"], 404),  # relay staff of another relay
        (UserFactory(consultant=True), 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    # the relay's staff see who consented, to what, and who did not
    body = _page(client, world["staff"], group)
    assert SILENT in body and "Pas encore choisi" in body
    assert "raison sociale, ce sur quoi l&#x27;entreprise travaille" in body


def test_a_non_consenting_member_appears_nowhere_to_other_members(client, world):
    """Every page an owner can reach, and the API: the silent member's name never appears."""
    a = world["a"]
    owner = world["owners"]["a"]
    network.network_consent_give(consent=world["consents"]["a"], by=owner, show_name=True)
    mission = Mission.objects.get(enrolment=a)
    objects = {
        "company": {"pk": a.company_id},
        "enrolment": {"pk": a.pk},
        "group": {"pk": world["group"].pk},
        "seminar": {"pk": world["seminar"].pk},
        "network_consent": {"pk": world["consents"]["a"].pk},
        "mission": {"pk": mission.pk},
        "enrolment_pk": {"enrolment_pk": a.pk},
    }
    _token, raw = api_token_create(user=owner, name="walk")
    client.force_login(owner)
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    visited, leaks = [], []
    for entry in url_entries():
        expect = EXPECTATIONS.get(entry.key)
        if is_admin(entry) or expect is None or expect.post_only or expect.heavy:
            continue
        if OWNER not in expect.ok and expect.anonymous == LOGIN:
            continue  # refused to the owner: the matrix asserts it
        if expect.obj is not None and expect.obj not in objects:
            continue  # an object this small world does not build
        kwargs = {**expect.kwargs, **objects.get(expect.obj, {})}
        url = reverse(entry.name, kwargs=kwargs) + expect.query
        response = client.get(url, **(api_headers if expect.api else {}))
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        body = response.content.decode(errors="replace")
        if response.get("Content-Type", "").startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)  # unescaped accents
        visited.append(url)
        if SILENT in body:
            leaks.append(url)
    assert not leaks, leaks
    group_page = reverse("collective:group_network", args=[world["group"].pk])
    assert group_page in visited and len(visited) >= 40, visited
    assert any(u.startswith("/api/") for u in visited)
    assert SHOWN in _page(client, world["owners"]["b"], world["group"])  # the walk can see


# --- personal data ---------------------------------------------------------------------------


def test_personal_data_export_and_anonymisation_cover_the_contact_and_free_text(world):
    owner = world["owners"]["a"]
    consent = network.network_consent_give(
        consent=world["consents"]["a"],
        by=owner,
        show_contact=True,
        contact_name="Claire Vautrin",
        contact_email="claire.vautrin@alpha.example",
        show_work=True,
        working_on="Avec Claire Vautrin : réduire les stocks",
    )
    contact = person_find("claire.vautrin@alpha.example")  # no account: found by the card
    data = personal_data_collect(contact)["group_network_consents"]
    assert data[0]["contact_name"] == "Claire Vautrin" and data[0]["group"] == "Groupe Lyon Sud"
    assert personal_data_collect(person_find(owner.email))["group_network_consents"][0][
        "working_on"
    ].startswith("Avec Claire")

    assert person_anonymise(email="claire.vautrin@alpha.example", reason="Demande") > 0
    consent.refresh_from_db()
    assert consent.contact_name == consent.contact_email == ""
    assert not consent.show_contact and consent.state == NetworkConsent.State.GIVEN
    assert "Claire Vautrin" not in consent.working_on


def test_anonymising_the_only_shown_contact_withdraws_the_card(world):
    consent = network.network_consent_give(
        consent=world["consents"]["a"],
        by=world["owners"]["a"],
        show_contact=True,
        contact_name="Claire Vautrin",
        contact_email="claire.vautrin@alpha.example",
    )
    person_anonymise(email="claire.vautrin@alpha.example", reason="Demande")
    consent.refresh_from_db()
    assert consent.state == NetworkConsent.State.WITHDRAWN
