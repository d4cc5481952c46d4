"""Ledger pages that stay fast at national scale: keyset journal, party search, cached dashboard."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Relay
from funding.ledger import Line, entry_post
from funding.models import JournalLine
from funding.selectors import JOURNAL_PAGE_SIZE
from reporting.selectors import dashboard_cache_key, dashboard_cached
from tests.factories import UserFactory

from .factories import company, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def afpi():
    return Relay.objects.get(slug="afpi")


def _post(relay, n, *, company_id=None, amount="10.00", day=None):
    return entry_post(
        relay=relay,
        date=day or dt.date(2026, 1, 1) + dt.timedelta(days=n % 15),
        label=f"Écriture {n}",
        event_kind="test",
        key=f"scale:{relay.pk}:{n}",
        lines=[
            Line("411", debit=Decimal(amount), company_id=company_id),
            Line("706", credit=Decimal(amount), company_id=company_id),
        ],
    )


def _line_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-line="(\d+)"', html)]


def test_the_journal_pages_through_every_line_once_newest_first(client, afpi):
    for n in range(40):  # 80 lines: pages of 50 and 30
        _post(afpi, n)
    _post(Relay.objects.get(slug="cci"), 1)  # another relay's line never shows
    client.force_login(staff_user(afpi))
    url = reverse("funding:journal", args=[afpi.slug])
    with CaptureQueriesContext(connection) as first_queries:
        response = client.get(url)
        first = response.content.decode()
    assert response.status_code == 200, response.status_code
    page1 = _line_ids(first)
    assert len(page1) == JOURNAL_PAGE_SIZE == 50, first[first.find("<tbody>") :][:500]
    cursor = re.search(r"after=([0-9.-]+)", first).group(1)
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url, {"after": cursor}).content.decode()
    page2 = _line_ids(second)
    assert len(page2) == 30 and ">Suivante<" not in second and "Première page" in second
    assert len(second_queries) == len(first_queries)  # no OFFSET: the same queries
    expected = list(
        JournalLine.objects.filter(entry__relay=afpi)
        .order_by("-entry__date", "-entry_id", "pk")
        .values_list("pk", flat=True)
    )
    assert page1 + page2 == expected
    # a cursor that is not one is ignored (first page)
    assert _line_ids(client.get(url, {"after": "n'importe quoi"}).content.decode()) == page1


def test_the_journal_searches_a_company_by_name_or_siret(client, afpi):
    mine = company(relay=afpi, name="Fonderie Dauphinoise")
    other = company(relay=afpi, name="Plasturgie Alpine")
    _post(afpi, 1, company_id=mine.pk, amount="111.00")
    _post(afpi, 2, company_id=other.pk, amount="222.00")
    client.force_login(staff_user(afpi))
    url = reverse("funding:journal", args=[afpi.slug])
    html = client.get(url, {"party": "dauphin"}).content.decode()
    assert "111,00" in html and "222,00" not in html
    html = client.get(url, {"party": other.siret[:9]}).content.decode()
    assert "222,00" in html and "111,00" not in html
    # the id filter of the statements' links still works, as a hidden field
    html = client.get(url, {"company": mine.pk}).content.decode()
    assert "111,00" in html and "222,00" not in html
    assert f'type="hidden" name="company" value="{mine.pk}"' in html


def test_the_dashboard_is_computed_once_per_scope_within_its_cache_period(settings, afpi):
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 60
    region = UserFactory(region=True)
    staff = staff_user(afpi)
    keys = [dashboard_cache_key(user=u) for u in (region, staff)]
    cache.delete_many(keys)  # only ours: the cache may be shared (Redis)
    _post(afpi, 1, amount="100.00")
    _post(Relay.objects.get(slug="cci"), 1, amount="50.00")
    assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("150.00")
    assert dashboard_cached(user=staff)["totals"]["committed"] == Decimal("100.00")
    _post(afpi, 2, amount="1.00")
    with CaptureQueriesContext(connection) as ctx:
        stale = dashboard_cached(user=region)
    assert stale["totals"]["committed"] == Decimal("150.00")  # up to 60 s old
    assert not any("funding_" in q["sql"] for q in ctx.captured_queries)
    assert stale["computed_at"]
    cache.delete_many(keys)
    assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("151.00")
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 0
    _post(afpi, 3, amount="1.00")
    assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("152.00")
    cache.delete_many(keys)


def test_expired_figures_are_recomputed_by_one_request_while_the_others_show_them(settings, afpi):
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 60
    region = UserFactory(region=True)
    key = dashboard_cache_key(user=region)
    cache.delete_many([key, f"{key}:computing"])
    _post(afpi, 1, amount="100.00")
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("100.00")
        _post(afpi, 2, amount="1.00")
        clock.shift(61)  # the period is over
        # another request is already computing the next figures: this one shows the previous
        cache.add(f"{key}:computing", 1, 60)
        with CaptureQueriesContext(connection) as ctx:
            previous = dashboard_cached(user=region)
        assert previous["totals"]["committed"] == Decimal("100.00")
        assert not any("funding_" in q["sql"] for q in ctx.captured_queries)
        # nobody is: this request computes them, and the next ones read them
        cache.delete(f"{key}:computing")
        assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("101.00")
        assert cache.get(f"{key}:computing") is None
        clock.shift(10)
        assert dashboard_cached(user=region)["computed_at"] == dt.datetime(
            2026, 6, 1, 9, 1, 1, tzinfo=dt.UTC
        )
        # figures older than two periods are never shown: the request computes them
        _post(afpi, 3, amount="1.00")
        cache.add(f"{key}:computing", 1, 600)
        clock.shift(121)
        assert dashboard_cached(user=region)["totals"]["committed"] == Decimal("102.00")
    cache.delete_many([key, f"{key}:computing"])


def test_cached_dashboard_charts_carry_each_requests_own_nonce(settings, client, afpi):
    """The tables' markup is cached, never the charts: their <style> needs this request's nonce."""
    settings.FUNDING_DASHBOARD_CACHE_SECONDS = 60
    region = UserFactory(region=True)
    cache.delete(dashboard_cache_key(user=region))
    _post(afpi, 1, amount="100.00")
    client.force_login(region)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("reporting:dashboard"))
        assert response.status_code == 200
        header_nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        styles = re.findall(r"<style nonce=\"([^\"]+)\"", response.content.decode())
        assert styles and set(styles) == {header_nonce}
        nonces.append(header_nonce)
    assert nonces[0] != nonces[1]
