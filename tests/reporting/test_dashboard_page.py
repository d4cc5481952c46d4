"""The Region's dashboard around decisions: key figures linking to their detail, the forecast
in words, the relay × funder table with totals, right-aligned figures, readable charts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Relay
from enrolment.models import Enrolment
from reporting.models import Milestone, ProgrammeTarget
from tests.factories import UserFactory
from tests.funding.factories import company, signed_enrolment, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_relays():
    target = ProgrammeTarget.objects.get()
    today = timezone.localdate()
    ProgrammeTarget.objects.filter(pk=target.pk).update(ends_on=today + dt.timedelta(days=700))
    Milestone.objects.create(target=target, due_on=today + dt.timedelta(days=100), enrolments=270)
    afpi, cci = Relay.objects.get(slug="afpi"), Relay.objects.get(slug="cci")
    enrolments = [
        signed_enrolment(company=company(relay=relay), staff=staff_user(relay))
        for relay in (afpi, cci)
    ]
    # one enrolled two months ago: in the forecast's window of full months
    two_months_ago = timezone.now() - dt.timedelta(days=62)
    Enrolment.objects.filter(pk=enrolments[0].pk).update(submitted_at=two_months_ago)
    return enrolments


def _page(client) -> str:
    client.force_login(UserFactory(region=True))
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, key: str) -> str:
    start = html.index(f'<section class="card mb-4" id="table-{key}"')
    return html[start : html.index("</section>", start)]


def test_each_key_figure_links_to_its_detail_on_the_page(client, two_relays):
    html = _page(client)
    headline = html[html.index('id="headline"') : html.index("</ul>", html.index('id="headline"'))]
    for anchor in ("milestones", "money", "utilisation", "continuation"):
        assert f'href="#table-{anchor}"' in headline
        assert f'id="table-{anchor}"' in html
    assert "2 / 2\xa0000" in headline  # enrolments against the target
    assert "Prochain jalon : 270 au " in headline
    assert 'id="key-committed"' in headline and 'id="key-load"' in headline
    assert "Aide régionale" in headline and "enveloppe" in headline
    assert 'id="continuation-rate"' in headline
    # the outcomes tables name themselves above their headers (Bootstrap's caption-top)
    outcomes = html[html.index('id="mission-outcomes"') :]
    assert outcomes.count('class="table table-sm align-middle outcomes-table caption-top"') == 2


def test_the_forecast_states_its_pace_window_and_says_out_of_reach(client, two_relays):
    html = _page(client)
    # one enrolment in the last six full months: 0,2 a month, 1,998 to go in 23 months
    verdict = re.search(r'id="forecast-verdict">([^<]*)<', html).group(1)
    assert verdict == "Hors d'atteinte"
    assert "0,2 inscriptions par mois (1 sur les 6 derniers mois complets" in html
    assert "objectif atteint au rythme actuel" not in html
    assert "1998 inscriptions restantes" in html.replace("\xa0", "")
    assert "Il faudrait 86,9 inscriptions par mois" in html  # 1,998 / (700 / 30.4375)


def test_money_is_one_relay_by_funder_table_with_totals_and_aligned_figures(client, two_relays):
    section = _section(_page(client), "money")
    headers = re.findall(r"<th scope=\"col\"( class=\"num\")?>([^<]*)</th>", section)
    assert headers[0] == ("", "Relais") and headers[-1] == (' class="num"', "Total")
    assert all(num for num, _h in headers[1:])  # figures' headers right-aligned like the figures
    rows = re.findall(r"<tr( class=\"total-row\")?><td>([^<]*)</td>", section)
    assert [name for _c, name in rows] == ["Afpi", "CCI", "Total"]
    assert rows[-1][0]  # the totals' row is marked
    assert "8\u202f000,00" in section  # the Region's aid, both relays (4,000 each)


def test_charts_have_french_figures_large_labels_and_true_series_names(client, two_relays):
    section = _section(_page(client), "funders")
    svg = section[section.index("<svg") :]
    axis = re.findall(r"<text[^>]*>([\d\u202f\xa0 ,]+)</text>", svg)
    assert axis and not any(re.fullmatch(r"\d{4,}", a) for a in axis), axis
    assert any(re.fullmatch(r"\d{1,3}([\u202f\xa0]\d{3})+", a) for a in axis), axis  # "2 000"
    sizes = re.findall(r"\.(axis text|legend text|title)\{[^}]*font-size:(\d+)px", svg)
    assert {kind for kind, _s in sizes} == {"axis text", "legend text", "title"}, sizes
    assert min(int(size) for _k, size in sizes) >= 12, sizes
    assert "Honoraires" not in svg  # consultants' fees are not what the funders paid
    assert "…" not in svg  # no truncated label
    assert "non comptés dans l'encaissé" in section
    # the three series' legend entries are all drawn inside the image (the third was cut)
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
    top = float(re.search(r'translate\([\d.]+, ([\d.]+)\)" class="legends"', svg).group(1))
    legends = svg[svg.index('class="legends"') :]
    entries = re.findall(r'<text x="[\d.]+" y="([\d.]+)">([^<]+)</text>', legends)
    assert [name for _y, name in entries] == ["Engagé HT", "Appelé / facturé", "Encaissé"]
    assert all(top + float(y) + 6 <= height for y, _n in entries), (height, top, entries)


def test_the_relay_chart_draws_the_twelve_busiest_relays_only(client, settings):
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 0
    relays = [
        Relay.objects.create(name=f"Relais {i:02d}", slug=f"relais-{i:02d}") for i in range(14)
    ]
    for i, relay in enumerate(relays):
        for _ in range(1 + (i == 13)):
            signed_enrolment(company=company(relay=relay), staff=staff_user(relay))
    section = _section(_page(client), "by_relay")
    chart = section[section.index("<svg") :]
    assert "les 12 premiers" in chart
    assert "Relais 13" in chart  # the busiest is drawn
    assert section.count("<tr>") >= 15  # the table keeps every relay
