import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from catalogue.models import Offer
from catalogue.selectors import tariff_in_force
from consultants import services
from consultants.models import Action, ActionPlan, Expert, HalfDay, Indicator, Measurement, Mission
from core.models import Departement, User
from core.roles import Role
from diagnostics.models import Theme
from enrolment.models import Company, Enrolment, EnrolmentState
from tests.factories import UserFactory, valid_siret

from .factories import (
    ExpertFactory,
    director,
    running_mission,
    service_story,
    validated_enrolment,
)

pytestmark = pytest.mark.django_db


@service_story  # batch set-up
def _bulk_experts(n: int, start: int = 0) -> None:
    users = User.objects.bulk_create(
        User(email=f"pool{start + i}@test.example", role=Role.CONSULTANT, last_name=f"P{i}")
        for i in range(n)
    )
    experts = Expert.objects.bulk_create(
        Expert(user=u, kind=Expert.Kind.CONSULTANT, capacity=4) for u in users
    )
    theme = Theme.objects.get(code="stocks")
    Expert.specialties.through.objects.bulk_create(
        Expert.specialties.through(expert=e, theme=theme) for e in experts
    )
    Expert.departements.through.objects.bulk_create(
        Expert.departements.through(expert=e, departement_id="69") for e in experts
    )


@service_story  # batch set-up
def _bulk_validated(n: int, start: int = 0) -> None:
    dep = Departement.objects.select_related("default_relay").get(code="69")
    offer = Offer.objects.get(code="ciblee")
    tariff = tariff_in_force(offer=offer)
    companies = Company.objects.bulk_create(
        Company(
            siret=valid_siret(5000 + start + i),
            name=f"Bulk {i}",
            departement=dep,
            relay=dep.default_relay,
        )
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            company=c,
            state=EnrolmentState.VALIDATED,
            offer=offer,
            tariff=tariff,
            validated_at=timezone.now() - dt.timedelta(days=i),
        )
        for i, c in enumerate(companies)
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def test_pool_list_query_count_is_constant(client):
    client.force_login(director())
    _bulk_experts(5)
    few = _count(client, reverse("consultants:pool"))
    _bulk_experts(195, start=5)
    assert _count(client, reverse("consultants:pool")) == few
    html = client.get(reverse("consultants:pool") + "?specialty=&availability=free").content
    assert "Stocks" in html.decode()


def test_pool_rows_show_each_experts_specialties_territories_and_load(client):
    """A row: the name (the e-mail without one), specialties in the questionnaire's order,
    territories by code, load over capacity, rate in euros; the header sorts, 50 a page."""
    client.force_login(director())
    _bulk_experts(55)
    with zeal_ignore():
        named = ExpertFactory(user__first_name="Anne", user__last_name="Aabel", capacity=3)
        themes = list(Theme.objects.order_by("position", "name")[:3])
        named.specialties.set(reversed(themes))
        named.departements.set(Departement.objects.filter(code__in=["74", "01"]))
        unnamed = ExpertFactory(user__first_name="", user__last_name="", user__email="z@x.fr")
        running_mission(consultant=named)
    page = client.get(reverse("consultants:pool")).content.decode()
    row = page.split(f'href="{reverse("consultants:profile", args=[named.pk])}">')[1]
    row = row.split("</tr>")[0]
    assert row.startswith("Anne Aabel</a>")
    assert ", ".join(t.name for t in themes) in row
    assert row.index(">01</span>") < row.index(">74</span>")
    assert "<td>1 / 3</td>" in row
    assert 'id="list-page-status">Page 1 sur 2<' in page
    assert f">{unnamed.user.email}</a>" in page  # no last name: first in the order
    html = client.get(reverse("consultants:pool"), {"page": 2}).content.decode()
    assert html.count("<tr>") == 57 - 50 + 1  # the header's row and the 7 last experts
    html = client.get(reverse("consultants:pool"), {"sort": "-name"}).content.decode()
    assert '<th class="desc orderable" scope="col"><a href="?sort=name">Nom</a></th>' in html


def test_queue_query_count_is_constant_and_oldest_first(client):
    client.force_login(director())
    _bulk_validated(5)
    few = _count(client, reverse("consultants:queue"))
    _bulk_validated(195, start=5)
    assert _count(client, reverse("consultants:queue")) == few
    # 200 waiting, 50 a page: the last page holds the newest ones, still oldest first
    html = client.get(reverse("consultants:queue"), {"page": 4}).content.decode()
    assert html.index("Bulk 4<") < html.index("Bulk 0<")  # validated 4 days ago comes first
    assert "4 jours" in html


def test_queue_is_paginated_oldest_first(client):
    client.force_login(director())
    _bulk_validated(60)
    first = client.get(reverse("consultants:queue")).content.decode()
    assert first.count("Suggestions<") == 50
    assert "60 inscriptions" in first and "Bulk 59<" in first and "Bulk 9<" not in first
    second = client.get(reverse("consultants:queue"), {"page": 2}).content.decode()
    assert second.count("Suggestions<") == 10
    assert "Bulk 9<" in second and "Bulk 0<" in second and "Bulk 59<" not in second


@service_story  # batch set-up
def _fill(mission: Mission, n: int) -> None:
    plan = ActionPlan.objects.filter(mission=mission).first() or ActionPlan.objects.create(
        mission=mission, title="Plan"
    )
    indicator = Indicator.objects.filter(plan=plan).first() or Indicator.objects.create(
        plan=plan, name="Stock", unit="k€", baseline=Decimal("400"), target=Decimal("300")
    )
    pilot = mission.enrolment.pilots.first()
    day = mission.start_date
    HalfDay.objects.bulk_create(
        HalfDay(mission=mission, date=day, subject=f"S{i}", attendees="A") for i in range(n)
    )
    Action.objects.bulk_create(
        Action(plan=plan, title=f"A{i}", owner=pilot, due_date=day) for i in range(n)
    )
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, date=day, value=Decimal(400 - i % 100)) for i in range(n)
    )


@pytest.mark.parametrize("tab", ["demi-journees", "plans", "indicateurs", "synthese"])
@pytest.mark.parametrize("viewer", ["consultant", "owner", "staff", "director"])
def test_mission_page_query_count_is_constant(client, viewer, tab):
    mission = running_mission()
    _fill(mission, 5)
    user = {
        "consultant": mission.consultant.user,
        "owner": mission.enrolment.company.owner,
        "staff": UserFactory(role=Role.RELAY_STAFF, relay=mission.enrolment.company.relay),
        "director": director(),
    }[viewer]
    client.force_login(user)
    url = reverse("consultants:mission", args=[mission.pk]) + f"?onglet={tab}"
    few = _count(client, url)
    _fill(mission, 195)
    assert _count(client, url) == few


def test_missions_list_query_count_is_constant(client):
    consultant = ExpertFactory(capacity=50)
    with zeal_ignore():
        for _ in range(2):
            running_mission(consultant=consultant)
    client.force_login(consultant.user)
    few = _count(client, reverse("consultants:missions"))
    with zeal_ignore():
        for _ in range(3):
            running_mission(consultant=consultant)
    assert _count(client, reverse("consultants:missions")) == few


def test_scoping_foreign_mission_is_404_and_owner_reads_only(client):
    mission = running_mission()
    other = ExpertFactory()
    client.force_login(other.user)
    assert client.get(reverse("consultants:mission", args=[mission.pk])).status_code == 404
    client.force_login(mission.enrolment.company.owner)
    html = client.get(reverse("consultants:mission", args=[mission.pk])).content.decode()
    assert "Consultation seule" in html and "halfday-form" not in html
    response = client.post(
        reverse("consultants:mission_action", args=[mission.pk, "halfday"]),
        {"halfday-date": timezone.localdate().isoformat(), "halfday-subject": "x"},
    )
    assert response.status_code == 403
    assert not HalfDay.objects.exists()
    assert client.get(reverse("consultants:pool")).status_code == 403
    assert client.get(reverse("consultants:overview")).status_code == 403


def test_bad_half_day_date_keeps_what_was_typed(client):
    mission = running_mission(started_days_ago=5)
    client.force_login(mission.consultant.user)
    too_early = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("consultants:mission_action", args=[mission.pk, "halfday"]),
        {
            "halfday-date": too_early,
            "halfday-subject": "Atelier SMED",
            "halfday-attendees": "Chef d'atelier",
        },
    )
    html = response.content.decode()
    assert "ne peut pas précéder le début de la mission" in html
    assert 'value="Atelier SMED"' in html
    assert not HalfDay.objects.exists()


def test_assigning_a_suspended_consultant_is_refused_on_the_page(client):
    enrolment = validated_enrolment()
    suspended = ExpertFactory(accreditation=Expert.Accreditation.SUSPENDED)
    client.force_login(director())
    response = client.post(
        reverse("consultants:queue_detail", args=[enrolment.pk]), {"consultant": suspended.pk}
    )
    assert response.status_code == 200
    assert "habilitation « Suspendu »" in response.content.decode()
    assert not enrolment.__class__.objects.filter(mission__assignments__isnull=False).exists()


def test_relay_staff_may_assign_only_when_delegated(client, settings):
    enrolment = validated_enrolment()
    consultant = ExpertFactory()
    staff = UserFactory(role=Role.RELAY_STAFF, relay=enrolment.company.relay)
    client.force_login(staff)
    url = reverse("consultants:queue_detail", args=[enrolment.pk])
    assert client.post(url, {"consultant": consultant.pk}).status_code == 403
    settings.CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS = True
    assert client.post(url, {"consultant": consultant.pk}).status_code == 302
    assert services.consultant_load(expert=consultant) == 1


CSV = (
    "email;prenom;nom;type;cabinet;specialites;departements;capacite;habilitation;"
    "tarif_demi_journee_ht\n"
    "new@test.example;Ana;Neuve;consultant;Cab;stocks|Délais;69|38;5;actif;805,00\n"
    "bad@test.example;Bob;Faux;consultant;Cab;astrologie;69;4;active;800\n"
    "worse@test.example;Cid;Pire;plombier;Cab;stocks;99;x;active;-3\n"
)


def test_csv_import_reports_every_rejected_row_and_keeps_the_good_ones(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(director())
    response = client.post(
        reverse("consultants:pool_import"),
        {"file": SimpleUploadedFile("vivier.csv", CSV.encode("utf-8"), "text/csv")},
    )
    html = response.content.decode()
    assert "1 fiche(s) créée(s)" in html
    assert "spécialité inconnue « astrologie »" in html
    for reason in ["type inconnu", "département inconnu « 99 »", "capacité invalide", "tarif"]:
        assert reason in html
    expert = Expert.objects.get(user__email="new@test.example")
    assert expert.capacity == 5 and expert.half_day_rate == Decimal("805.00")
    assert {t.code for t in expert.specialties.all()} == {"stocks", "delais"}
    assert not Expert.objects.filter(user__email="bad@test.example").exists()
    export = client.get(reverse("consultants:pool_export")).content.decode("utf-8-sig")
    assert "new@test.example;Ana;Neuve;consultant;Cab;" in export
    assert ";805,00;" in export  # French decimals, read back by the import


def test_profile_shows_current_missions_and_conflicts(client):
    mission = running_mission()
    expert = mission.consultant
    with zeal_ignore():
        services.conflict_declare(
            expert=expert, company=mission.enrolment.company, reason="Cousin", by=director()
        )
        running_mission(consultant=expert)
    client.force_login(director())
    html = client.get(reverse("consultants:profile", args=[expert.pk])).content.decode()
    assert mission.enrolment.company.name in html
    assert "Cousin" in html
    assert "2 / 4" in html  # load / capacity


def test_overview_query_count_does_not_grow_with_the_pool(client):
    client.force_login(director())
    with zeal_ignore():
        running_mission()
    _bulk_experts(5)
    few = _count(client, reverse("consultants:overview"))
    _bulk_experts(195, start=5)
    assert _count(client, reverse("consultants:overview")) == few


def test_measurement_without_a_value_is_refused_and_the_date_kept(client):
    mission = running_mission()
    user = mission.consultant.user
    with zeal_ignore():
        plan = services.action_plan_create(mission=mission, by=user, title="Plan")
        indicator = services.indicator_create(
            plan=plan, by=user, name="Rebut", unit="%", baseline=Decimal("6"), target=Decimal("3")
        )
    client.force_login(user)
    day = timezone.localdate().isoformat()
    response = client.post(
        reverse("consultants:mission_action_on", args=[mission.pk, "measurement", indicator.pk]),
        {f"measurement-{indicator.pk}-date": day, f"measurement-{indicator.pk}-value": ""},
    )
    html = response.content.decode()
    assert "Saisissez la valeur mesurée." in html
    assert f'value="{day}"' in html
    assert not Measurement.objects.exists()
