"""Personal data (RGPD): export of everything about a person, anonymisation, retention sweep."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.db import models
from django.db.models.functions import Cast
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from api.services import api_token_create
from consultants import services as mission_services
from core.models import Relay, TimelineEvent, User
from core.personal_data import (
    PersonNotFound,
    person_anonymise,
    person_find,
    personal_data_collect,
    retention_candidates,
)
from core.roles import Role
from core.tasks import personal_data_retention_sweep
from enrolment.models import Enrolment, EnrolmentState, Pilot
from enrolment.services import enrolment_transition
from funding.ledger import balances
from reporting.selectors import dashboard
from tests.consultants.factories import ExpertFactory, running_mission, staff_of
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

OWNER = ("Jeanne", "Dufourcq", "jeanne.dufourcq@entreprise.example", "04 72 00 00 01")
CONSULTANT = ("Marc", "Lenormand", "marc.lenormand@cabinet.example")
PILOT = ("Aline", "Morvandiau", "aline.morvandiau@entreprise.example", "06 12 34 56 78")


@pytest.fixture
def story():
    """A closed mission with ledger activity, naming owner, pilot and consultant in free text."""
    with zeal_ignore():
        consultant_user = UserFactory(
            email=CONSULTANT[2],
            first_name=CONSULTANT[0],
            last_name=CONSULTANT[1],
            role=Role.CONSULTANT,
        )
        expert = ExpertFactory(user=consultant_user, firm="Lenormand Conseil")
        mission = running_mission(consultant=expert, started_days_ago=20)
        enrolment = mission.enrolment
        owner = enrolment.company.owner
        User.objects.filter(pk=owner.pk).update(
            first_name=OWNER[0], last_name=OWNER[1], email=OWNER[2], phone=OWNER[3]
        )
        owner.refresh_from_db()
        pilot = enrolment.pilots.get(position=1)
        Pilot.objects.filter(pk=pilot.pk).update(
            first_name=PILOT[0], last_name=PILOT[1], email=PILOT[2], phone=PILOT[3]
        )
        for days in (10, 5):
            mission_services.half_day_log(
                mission=mission,
                by=consultant_user,
                date=timezone.localdate() - dt.timedelta(days=days),
                subject="Cartographie des flux avec Jeanne Dufourcq",
                attendees="Aline Morvandiau, Jeanne Dufourcq",
                notes="Marc Lenormand a animé l'atelier ; appeler Aline Morvandiau.",
            )
        mission_services.mission_write_summary(
            mission=mission,
            by=consultant_user,
            summary="Bravo à Aline Morvandiau pour le pilotage.",
        )
        staff = staff_of(enrolment)
        mission_services.mission_close(mission=mission, by=staff)
        api_token_create(user=owner, name="Tableur de Jeanne")
    return {
        "mission": mission,
        "enrolment": Enrolment.objects.get(pk=enrolment.pk),
        "owner": owner,
        "consultant": consultant_user,
        "pilot": Pilot.objects.get(pk=pilot.pk),
        "staff": staff,
    }


def _needles():
    return [
        OWNER[2],
        f"{OWNER[0]} {OWNER[1]}",
        OWNER[1],
        OWNER[3],
        CONSULTANT[2],
        CONSULTANT[1],
        PILOT[2],
        PILOT[1],
        PILOT[3],
    ]


def _where_it_appears(needle: str) -> list[str]:
    """Every text column of every table that still contains `needle`."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            qs = model._base_manager.annotate(_t=Cast(f.name, models.TextField()))
            if qs.filter(_t__icontains=needle).exists():
                found.append(f"{model._meta.label}.{f.name}")
    return found


def _money_figures(director):
    """Ledger balances of every relay and the dashboard's figures (names left aside)."""
    figures = {r.slug: balances(relay=r) for r in Relay.objects.all()}
    board = dashboard(user=director)
    figures["dashboard"] = {
        key: board[key]
        for key in (
            "totals",
            "pool",
            "running_missions",
            "halfdays",
            "committed_ht",
            "region_committed",
            "continuation",
            "training",
        )
    }
    figures["tables"] = [
        [[c for c in row if isinstance(c, int | Decimal)] for row in table.rows]
        for table in board["tables"]
    ]
    figures["head"] = {k: v for k, v in board["head"].items() if k != "progress"}
    return figures


# --- Export ---------------------------------------------------------------------------------


def test_my_data_page_and_own_export_hold_everything_about_the_owner(client, story):
    owner = story["owner"]
    client.force_login(owner)
    page = client.get(reverse("core:my_data"))
    assert page.status_code == 200
    assert reverse("core:my_data_export") in page.content.decode()

    response = client.get(reverse("core:my_data_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == OWNER[2]
    assert data["account"]["phone"] == OWNER[3]
    assert data["account"]["role"] == Role.OWNER
    [company] = data["companies_owned"]
    assert company["name"] == story["enrolment"].company.name
    [enrolment] = company["enrolments"]
    assert enrolment["state"] == EnrolmentState.CLOSED
    assert {p["email"] for p in enrolment["pilots"]} >= {PILOT[2]}
    assert [f["due_months"] for f in enrolment["follow_ups"]] == [6, 12, 36]
    assert data["timeline_events_authored"], "the owner's own transitions"
    [token] = data["api_tokens"]
    assert token["name"] == "Tableur de Jeanne"
    assert "key_hash" not in json.dumps(data) and "ppme_" not in json.dumps(data)
    event = TimelineEvent.objects.get(verb="rgpd.export")
    assert event.actor == owner and event.data["person"] == OWNER[2]


def test_the_consultant_export_has_profile_missions_and_half_days(client, story):
    client.force_login(story["consultant"])
    data = json.loads(client.get(reverse("core:my_data_export")).content)
    assert data["expert_profile"]["firm"] == "Lenormand Conseil"
    [mission] = data["missions"]
    assert len(mission["half_days"]) == 2
    assert mission["half_days"][0]["attendees"] == "Aline Morvandiau, Jeanne Dufourcq"
    assert data["assignments"][0]["status"] == "accepted"


def test_the_director_exports_a_pilot_without_account_by_email(client, story):
    director = UserFactory(director=True)
    client.force_login(director)

    response = client.get(reverse("core:rgpd_export"), {"email": PILOT[2].upper()})

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["account"] is None
    [pilot] = data["pilot_of"]
    assert (pilot["first_name"], pilot["last_name"], pilot["phone"]) == PILOT[:2] + PILOT[3:]
    event = TimelineEvent.objects.get(verb="rgpd.export")
    assert event.actor == director and event.subject == story["pilot"]


def test_exporting_an_unknown_person_says_so_in_french(client):
    client.force_login(UserFactory(director=True))
    response = client.get(reverse("core:rgpd_export"), {"email": "personne@nulle-part.example"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Aucune personne n&#x27;est connue du portail" in html
    assert "personne@nulle-part.example" in html
    assert not TimelineEvent.objects.filter(verb="rgpd.export").exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OWNER, 403),
        (Role.RELAY_STAFF, 403),
        (Role.CONSULTANT, 403),
        (Role.TRAINER, 403),
        (Role.REGION, 403),
        (Role.DIRECTOR, 200),
        (Role.ADMIN, 200),
    ],
)
def test_only_director_and_admin_reach_the_rgpd_pages(client, role, expected):
    kwargs = {"role": role}
    if role == Role.RELAY_STAFF:
        kwargs["staff"] = True
    if role == Role.ADMIN:
        kwargs["admin"] = True
    user = UserFactory(**kwargs)
    client.force_login(user)
    assert client.get(reverse("core:rgpd")).status_code == expected
    export = client.get(reverse("core:rgpd_export"), {"email": user.email})
    assert export.status_code == expected
    post = client.post(
        reverse("core:rgpd_anonymise"), {"email": "x@test.example", "reason": "r", "confirm": "on"}
    )
    assert post.status_code == (403 if expected == 403 else 404)
    assert client.get(reverse("core:my_data")).status_code == 200


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ("core:my_data", "core:my_data_export", "core:rgpd", "core:rgpd_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_export_queries_do_not_grow_with_the_person_s_history(
    client, story, django_assert_max_num_queries
):
    owner = story["owner"]
    client.force_login(owner)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("core:my_data_export"))
    with zeal_ignore():
        for _ in range(3):
            enrolment = EnrolmentFactory(company=CompanyFactory(owner=owner))
            enrolment_transition(enrolment=enrolment, to=EnrolmentState.SUBMITTED, by=owner)
            Pilot.objects.create(
                enrolment=enrolment, first_name="A", last_name="B", job_title="C", email="a@b.fr"
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = json.loads(client.get(reverse("core:my_data_export")).content)
    assert len(data["companies_owned"]) == 4


# --- Anonymisation --------------------------------------------------------------------------


def test_anonymisation_removes_the_persons_everywhere_and_keeps_every_figure(client, story):
    director = UserFactory(director=True)
    before = _money_figures(director)
    assert _where_it_appears(PILOT[1]), "the story names the pilot in free text"

    client.force_login(director)
    for email in (OWNER[2], PILOT[2], CONSULTANT[2]):
        response = client.post(
            reverse("core:rgpd_anonymise"),
            {
                "email": email,
                "reason": "Demande de la personne (courrier du 3 mars)",
                "confirm": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()

    for needle in _needles():
        assert _where_it_appears(needle) == [], needle
    assert _money_figures(director) == before
    for email in (OWNER[2], PILOT[2], CONSULTANT[2]):
        with pytest.raises(PersonNotFound):
            person_find(email)
    owner = User.objects.get(pk=story["owner"].pk)
    assert owner.email == f"personne-{owner.pk}@anonyme.invalid"
    assert str(owner) == f"Personne anonymisée n° {owner.pk}"
    assert not owner.is_active and not owner.has_usable_password()
    assert owner.api_tokens.get().revoked_at is not None
    assert (
        authenticate(RequestFactory().post("/"), email=owner.email, password="secret-pass-123")
        is None
    )
    # the anonymised data is all the export still shows
    exported = json.dumps(personal_data_collect(person_find(owner.email)), ensure_ascii=False)
    assert f"anonymisée n° {owner.pk}" in exported
    assert all(n not in exported for n in _needles())
    pilot = Pilot.objects.get(pk=story["pilot"].pk)
    assert (pilot.first_name, pilot.email) == ("Pilote", f"pilote-{pilot.pk}@anonyme.invalid")
    events = TimelineEvent.objects.filter(verb="rgpd.anonymised")
    assert events.count() == 3
    assert {e.message for e in events} == {"Demande de la personne (courrier du 3 mars)"}
    assert {e.actor_id for e in events} == {director.pk}


def test_lists_and_searches_show_the_placeholder(client, story):
    director = UserFactory(director=True)
    consultant = story["consultant"]
    person_anonymise(email=CONSULTANT[2], by=director, reason="Demande")
    person_anonymise(email=PILOT[2], by=director, reason="Demande")
    client.force_login(director)

    pool = client.get(reverse("consultants:pool")).content.decode()
    assert f"anonymisée n° {consultant.pk}" in pool and CONSULTANT[1] not in pool
    search = client.get(reverse("consultants:pool"), {"q": CONSULTANT[1]}).content.decode()
    assert f"anonymisée n° {consultant.pk}" not in search
    detail = client.get(reverse("enrolment:staff_detail", args=[story["enrolment"].pk]))
    html = detail.content.decode()
    assert "anonymisé n°" in html and PILOT[1] not in html


def test_anonymisation_is_idempotent(story):
    director = UserFactory(director=True)
    assert person_anonymise(email=OWNER[2], by=director, reason="Demande") > 0
    placeholder = User.objects.get(pk=story["owner"].pk).email
    snapshot = list(User.objects.filter(pk=story["owner"].pk).values())

    assert person_anonymise(email=placeholder, by=director, reason="Encore") == 0

    assert list(User.objects.filter(pk=story["owner"].pk).values()) == snapshot
    assert TimelineEvent.objects.filter(verb="rgpd.anonymised").count() == 1
    with pytest.raises(PersonNotFound):
        person_anonymise(email=OWNER[2], by=director, reason="Encore")


def test_anonymising_asks_for_confirmation_and_refuses_unknown_or_oneself(client, story):
    director = UserFactory(director=True)
    client.force_login(director)
    url = reverse("core:rgpd_anonymise")

    unconfirmed = client.post(url, {"email": OWNER[2], "reason": "Demande"})
    unknown = client.post(url, {"email": "x@nulle-part.example", "reason": "r", "confirm": "on"})
    oneself = client.post(url, {"email": director.email, "reason": "r", "confirm": "on"})

    assert unconfirmed.status_code == 400
    assert unknown.status_code == 404 and "Aucune personne" in unknown.content.decode()
    assert oneself.status_code == 400
    assert "votre propre compte" in oneself.content.decode()
    assert User.objects.get(pk=story["owner"].pk).email == OWNER[2]
    assert User.objects.get(pk=director.pk).is_active


# --- Retention ------------------------------------------------------------------------------


def _withdrawn_enrolment(email: str, pilot_email: str) -> Enrolment:
    with zeal_ignore():
        company = CompanyFactory(owner=UserFactory(email=email))
        enrolment = EnrolmentFactory(company=company)
        Pilot.objects.create(
            enrolment=enrolment, first_name="P", last_name=email, job_title="J", email=pilot_email
        )
        enrolment_transition(enrolment=enrolment, to=EnrolmentState.SUBMITTED, by=company.owner)
        return enrolment_transition(
            enrolment=enrolment, to=EnrolmentState.WITHDRAWN, by=company.owner, reason="Arrêt"
        )


def test_the_retention_sweep_anonymises_only_persons_past_the_period(settings):
    settings.RGPD_RETENTION_DAYS = 365
    with time_machine.travel(dt.datetime(2020, 1, 10, 10, tzinfo=dt.UTC), tick=False):
        _withdrawn_enrolment("ancien@test.example", "pilote.ancien@test.example")
        # a relay staff member who was once a pilot: their account is only anonymised on request
        with zeal_ignore():
            UserFactory(email="relais.pilote@test.example", staff=True)
        _withdrawn_enrolment("ancien2@test.example", "relais.pilote@test.example")
        with zeal_ignore():
            still_open = EnrolmentFactory(
                company=CompanyFactory(owner=UserFactory(email="en-cours@test.example"))
            )
            enrolment_transition(
                enrolment=still_open, to=EnrolmentState.SUBMITTED, by=still_open.company.owner
            )
    with time_machine.travel(dt.datetime(2022, 5, 20, 10, tzinfo=dt.UTC), tick=False):
        _withdrawn_enrolment("recent@test.example", "pilote.recent@test.example")

    with time_machine.travel(dt.datetime(2022, 6, 1, 3, 30, tzinfo=dt.UTC), tick=False):
        assert retention_candidates() == [
            "ancien2@test.example",
            "ancien@test.example",
            "pilote.ancien@test.example",
        ]
        assert personal_data_retention_sweep.apply().get() == 3

    remaining = set(User.objects.values_list("email", flat=True))
    assert {"en-cours@test.example", "recent@test.example", "relais.pilote@test.example"} <= (
        remaining
    )
    assert "ancien@test.example" not in remaining
    assert set(Pilot.objects.values_list("email", flat=True)) >= {"pilote.recent@test.example"}
    assert not Pilot.objects.filter(email="pilote.ancien@test.example").exists()
    event = TimelineEvent.objects.filter(verb="rgpd.anonymised").first()
    assert event.actor is None and "365 jours" in event.message
    with time_machine.travel(dt.datetime(2022, 6, 2, 3, 30, tzinfo=dt.UTC), tick=False):
        assert personal_data_retention_sweep.apply().get() == 0  # idempotent


def test_the_retention_sweep_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["rgpd-retention-sweep"]
    assert entry["task"] == "core.tasks.personal_data_retention_sweep"


def test_an_anonymised_consultant_is_no_longer_suggested():
    from consultants.selectors import consultant_suggestions
    from tests.consultants.factories import validated_enrolment

    enrolment = validated_enrolment(theme="stocks", dep="69")
    kept = ExpertFactory(specialties=["stocks"], departements=["69"])
    gone = ExpertFactory(specialties=["stocks"], departements=["69"])
    before = {s.expert.pk for s in consultant_suggestions(enrolment=enrolment)}

    person_anonymise(email=gone.user.email, by=None, reason="Fin de collaboration")

    after = {s.expert.pk for s in consultant_suggestions(enrolment=enrolment)}
    assert before == {kept.pk, gone.pk} and after == {kept.pk}


def test_the_export_lists_the_seminar_invitations_sent_to_owner_and_pilot():
    from collective.groups import group_create, group_member_add, seminar_create
    from core.models import Departement, OutboxMessage
    from core.outbox import outbox_process_message
    from tests.groups.factories import enrolment_at
    from tests.groups.factories import staff_of as relay_staff

    with zeal_ignore():
        staff = relay_staff("afpi")
        group = group_create(
            relay=Relay.objects.get(slug="afpi"),
            departement=Departement.objects.get(code="69"),
            name="Groupe RGPD",
            by=staff,
        )
        enrolment = enrolment_at(EnrolmentState.IN_PROGRESS, staff=staff, offer="approfondie")
        group_member_add(group=group, enrolment=enrolment, by=staff)
        starts = timezone.now() + dt.timedelta(days=7)
        seminar_create(
            group=group,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="CCI de Lyon",
            theme=None,
            title="Flux tirés",
            speaker=None,
            by=staff,
        )
        outbox_process_message(OutboxMessage.objects.get(kind="seminar.scheduled").pk)
        pilot_email = enrolment.pilots.first().email

    for email in (enrolment.company.owner.email, pilot_email):
        [invitation] = personal_data_collect(person_find(email))["emails_received"]
        assert (invitation["kind"], invitation["about"]) == ("seminar_invitation", "Flux tirés")
        assert invitation["place"] == "CCI de Lyon" and invitation["sent_at"]


def test_the_rgpd_page_shows_the_latest_exports_with_a_fixed_number_of_queries(client):
    from core.personal_data import personal_data_export

    director = UserFactory(director=True, first_name="Diane", last_name="Directrice")
    client.force_login(director)

    def page_queries(n_people: int) -> int:
        with zeal_ignore():
            for i in range(n_people):
                requester = UserFactory(email=f"demandeur{n_people}-{i}@test.example")
                personal_data_export(email=requester.email, by=requester)
                personal_data_export(email=requester.email, by=director)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("core:rgpd")).content.decode()
        assert f"demandeur{n_people}-0@test.example" in html and "Diane Directrice" in html
        return len(ctx.captured_queries)

    assert page_queries(2) == page_queries(8)
