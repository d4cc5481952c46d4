"""The mission workspace in tabs: each tab its own URL, the tab kept after a post, the half-day
form replaced by the amendment path at the cap, one readable chart per indicator."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from consultants import services
from consultants.charts import axis_ticks, indicator_chart_svg
from consultants.models import HalfDay, Indicator, Measurement
from core.roles import Role
from tests.factories import UserFactory

from .factories import ExpertFactory, director, running_mission, validated_enrolment

pytestmark = pytest.mark.django_db

TABS = {
    "demi-journees": "Demi-journées",
    "plans": "Plans d'action",
    "indicateurs": "Indicateurs",
    "synthese": "Synthèse",
}


def _url(mission, tab=None) -> str:
    url = reverse("consultants:mission", args=[mission.pk])
    return f"{url}?onglet={tab}" if tab else url


def _mission_with_indicators(offer="approfondie"):
    mission = running_mission(offer=offer)
    user = mission.consultant.user
    with zeal_ignore():
        first = services.key_issue_create(mission=mission, by=user, title="Stocks")
        second = services.key_issue_create(mission=mission, by=user, title="Délais")
        plans = [
            services.action_plan_create(mission=mission, by=user, title=t, key_issue=ki)
            for t, ki in [("Réduire le stock", first), ("Livrer à l'heure", second)]
        ]
        rebut = services.indicator_create(
            plan=plans[0],
            by=user,
            name="Taux de rebut",
            unit="%",
            baseline=Decimal("6.4"),
            target=Decimal("5.5"),
        )
        services.indicator_create(
            plan=plans[1],
            by=user,
            name="Service",
            unit="%",
            baseline=Decimal("80"),
            target=Decimal("95"),
        )
        services.measurement_record(
            indicator=rebut, by=user, date=timezone.localdate(), value=Decimal("5.2")
        )
    return mission


@pytest.mark.parametrize("viewer", ["consultant", "staff", "director", "owner"])
def test_each_tab_is_its_own_page_with_the_active_tab_marked(client, viewer):
    mission = running_mission()
    user = {
        "consultant": mission.consultant.user,
        "staff": UserFactory(role=Role.RELAY_STAFF, relay=mission.enrolment.company.relay),
        "director": director(),
        "owner": mission.enrolment.company.owner,
    }[viewer]
    client.force_login(user)
    for slug, label in TABS.items():
        html = client.get(_url(mission, slug)).content.decode()
        current = re.findall(
            r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html
        )
        assert len(current) == 1, slug
        assert current[0].endswith(f"?onglet={slug}") or slug == "demi-journees"
        assert f'<h2 class="h4" id="tab-heading">{label}</h2>' in html.replace("&#x27;", "'")
    # the default tab is the first one; an unknown tab falls back to it
    html = client.get(_url(mission, "nimportequoi")).content.decode()
    assert 'id="tab-demi-journees"' in html


def test_each_tab_shows_only_its_own_forms(client):
    mission = running_mission()
    client.force_login(mission.consultant.user)
    assert 'id="halfday-form"' in client.get(_url(mission)).content.decode()
    plans = client.get(_url(mission, "plans")).content.decode()
    assert 'id="plan-form"' in plans and 'id="halfday-form"' not in plans
    synthese = client.get(_url(mission, "synthese")).content.decode()
    assert "Enregistrer la synthèse" in synthese and 'id="plan-form"' not in synthese


def test_after_a_post_the_page_comes_back_to_the_form_s_tab(client):
    mission = _mission_with_indicators()
    client.force_login(mission.consultant.user)
    indicator = Indicator.objects.get(name="Service")
    prefix = f"measurement-{indicator.pk}"
    action = reverse(
        "consultants:mission_action_on", args=[mission.pk, "measurement", indicator.pk]
    )
    response = client.post(
        action, {f"{prefix}-date": timezone.localdate().isoformat(), f"{prefix}-value": "86.5"}
    )
    assert response.status_code == 302 and response.url == _url(mission, "indicateurs")
    assert Measurement.objects.filter(indicator=indicator).count() == 1
    # an error: the same tab rendered again, with the form and what was typed
    response = client.post(action, {f"{prefix}-date": "", f"{prefix}-value": "87"})
    html = response.content.decode()
    assert 'id="tab-indicateurs"' in html and 'value="87"' in html
    summary = reverse("consultants:mission_action", args=[mission.pk, "summary"])
    response = client.post(summary, {"summary-closing_summary": "Stock réduit de 20 %."})
    assert response.status_code == 302 and response.url == _url(mission, "synthese")


def test_at_the_cap_the_half_day_form_is_replaced_by_the_amendment_path(client):
    mission = running_mission()
    consultant = mission.consultant.user
    allowed = services.mission_allowed_half_days(mission=mission)
    start = mission.start_date
    with zeal_ignore():
        HalfDay.objects.bulk_create(
            HalfDay(mission=mission, date=start, subject=f"S{i}", attendees="A")
            for i in range(allowed - 1)
        )
    client.force_login(consultant)
    html = client.get(_url(mission)).content.decode()
    assert 'id="halfday-form"' in html and 'id="half-day-cap"' not in html
    HalfDay.objects.create(mission=mission, date=start, subject="Dernière", attendees="A")
    html = client.get(_url(mission)).content.decode()
    assert 'id="halfday-form"' not in html
    cap = html.split('id="half-day-cap"')[1].split("</section>")[0]
    assert f"Les {allowed} demi-journées prévues sont toutes utilisées" in cap
    assert str(mission.enrolment.company.relay) in cap  # who to ask
    assert "avenant" in cap and "le formulaire de saisie revient" in cap  # what happens
    # the page and the service apply the same rule: the service refuses too
    with pytest.raises(services.BusinessRuleError, match="toutes utilisées"):
        services.half_day_log(
            mission=mission, by=consultant, date=timezone.localdate(), subject="x", attendees="y"
        )
    # relay staff see why and record the amendment on the same tab; the form comes back
    staff = UserFactory(role=Role.RELAY_STAFF, relay=mission.enrolment.company.relay)
    client.force_login(staff)
    html = client.get(_url(mission)).content.decode()
    assert 'id="half-day-cap"' in html and 'id="amendment-form"' in html
    with zeal_ignore():
        services.amendment_record(mission=mission, by=staff, extra_half_days=2, reason="Site 2")
    client.force_login(consultant)
    html = client.get(_url(mission)).content.decode()
    assert 'id="halfday-form"' in html and 'id="half-day-cap"' not in html


def test_before_the_agreement_is_signed_the_tab_says_why_there_is_no_form(client):
    enrolment = validated_enrolment()
    consultant = ExpertFactory()
    with zeal_ignore():
        assignment = services.consultant_assign(
            enrolment=enrolment, consultant=consultant, by=director()
        )
        mission = services.assignment_accept(assignment=assignment, by=consultant.user)
    client.force_login(consultant.user)
    html = client.get(_url(mission)).content.decode()
    assert 'id="halfday-form"' not in html
    assert "une fois la convention signée" in html


def test_one_chart_per_indicator_on_the_indicators_tab_only(client):
    mission = _mission_with_indicators()
    client.force_login(mission.consultant.user)
    html = client.get(_url(mission, "indicateurs")).content.decode()
    assert html.count('class="indicator-chart') == Indicator.objects.count() == 2
    assert html.count("<title>Taux de rebut (%)</title>") == 1
    for tab in ["demi-journees", "plans", "synthese"]:
        assert "indicator-chart" not in client.get(_url(mission, tab)).content.decode()


def test_the_chart_draws_its_target_line_and_french_decimals():
    _mission_with_indicators()
    indicator = Indicator.objects.prefetch_related("measurements").get(name="Taux de rebut")
    svg = str(indicator_chart_svg(indicator))
    # the target is a series of its own, named with its value in French, drawn thick
    assert "Cible : 5,5 %" in svg
    path = re.search(
        r'<g class="series serie-2 color-2"><path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)"', svg
    )
    assert path and path.group(2) == path.group(4) and path.group(1) != path.group(3)
    assert re.search(r"\.series\.serie-2\{stroke-width:4;stroke-dasharray:12,6", svg)
    chart_id = re.search(r'id="(chart-[^"]+)"', svg).group(1)
    assert f"#{chart_id} .series.serie-2 .line{{stroke-width:4}}" in svg  # over .reactive
    # axis labels: French decimals, never a decimal point between digits
    labels = re.findall(r'<text[^>]*class="[^"]*"[^>]*>([^<]*)</text>', svg)
    numbers = [t for t in labels if re.fullmatch(r"[\d\s  ,.-]+", t.strip() or "x")]
    assert {"5,5", "6", "6,5"} <= {n.strip() for n in numbers}
    assert not any(re.search(r"\d\.\d", n) for n in numbers), numbers
    # labels at least 16 units, drawn at most 420 units wide (>= 12 px at 390 px)
    assert re.search(r"font-size:\s*16px", svg) and 'viewBox="0 0 420 ' in svg


def test_tables_scroll_in_their_own_box_with_the_first_column_fixed(client):
    mission = _mission_with_indicators()
    client.force_login(mission.consultant.user)
    for tab in ["demi-journees", "plans", "synthese"]:
        html = client.get(_url(mission, tab)).content.decode()
        assert html.count("<table") == html.count('class="table-scroll'), tab


def test_axis_ticks_are_round_and_leave_a_margin_around_the_target():
    # a target of 95 on the last tick would be drawn on the frame: one more step above
    assert axis_ticks([82.5, 84, 88.2, 95]) == [80, 85, 90, 95, 100]
    assert axis_ticks([6.4, 5.2, 5.5]) == [5, 5.5, 6, 6.5]
    assert axis_ticks([480, 430, 380]) == [375, 400, 425, 450, 475, 500]
    assert axis_ticks([0, 10, 20])[0] == 0  # never below zero for values that are not
