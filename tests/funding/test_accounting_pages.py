"""Accounting pages relay staff decide from: balances in words (debit/credit side and what it
means), account names next to numbers, and journal pages that say "Page 2 sur 3"."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from core.models import Relay
from funding.ledger import Line, entry_post, entry_reverse
from funding.selectors import balance_words, origin_label

from .factories import staff_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def afpi():
    return Relay.objects.get(slug="afpi")


def _post(relay, n, *, amount="10.00"):
    return entry_post(
        relay=relay,
        date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 15),
        label=f"Écriture {n}",
        event_kind="payment.consultant",
        key=f"pages:{relay.pk}:{n}",
        lines=[Line("401", debit=D(amount)), Line("512", credit=D(amount))],
    )


def test_a_signed_balance_is_said_in_words():
    words = balance_words("401", D("-108000.00"))
    assert (words.amount, words.side, words.meaning) == (
        D("108000.00"),
        "créditeur",
        "dû aux consultants",
    )
    words = balance_words("411", D("2928.00"))
    assert (words.side, words.meaning) == ("débiteur", "dû par les entreprises")
    assert balance_words("512", D("0")).side == "soldé"
    assert origin_label("payment.consultant") == "Paiement d'un consultant"
    assert origin_label("something.new") == "Autre écriture"


def test_the_ledger_explains_each_balance(client, afpi):
    _post(afpi, 1, amount="1500.00")  # a consultant paid: 401 debit, bank credit
    client.force_login(staff_user(afpi))
    html = client.get(reverse("funding:ledger", args=[afpi.slug])).content.decode()
    row = re.search(r'<tr data-account="512">.*?</tr>', html, re.S).group(0)
    assert "512</span> Banque" in row
    assert "1\u202f500,00\u00a0€" in row or "1\u202f500,00 €" in row
    assert "créditeur" in row and "découvert bancaire" in row
    assert "-1\u202f500" not in row  # no bare signed balance
    row = re.search(r'<tr data-account="401">.*?</tr>', html, re.S).group(0)
    assert "débiteur" in row and "avancé aux consultants" in row
    assert "Solde débiteur" in html  # the sides explained once above the table


def test_the_journal_shows_its_page_count_and_goes_back(client, afpi):
    for n in range(60):  # 120 lines: pages of 50, 50, 20
        _post(afpi, n)
    client.force_login(staff_user(afpi))
    url = reverse("funding:journal", args=[afpi.slug])
    first = unescape(client.get(url).content.decode())
    assert "Page 1 sur 3" in first and "Précédente" not in first
    assert "Paiement d'un consultant" in first and "payment.consultant" not in first
    assert "401</span> Consultants — honoraires à payer" in first
    next_link = re.search(r'href="\?([^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(f"{url}?{next_link}").content.decode()
    assert "Page 2 sur 3" in second and "Précédente" in second and "Première page" in second
    ids_second = re.findall(r'data-line="(\d+)"', second)
    next_link = re.search(r'href="\?([^"]*after=[^"]*)"', second).group(1).replace("&amp;", "&")
    third = client.get(f"{url}?{next_link}").content.decode()
    assert "Page 3 sur 3" in third and ">Suivante<" not in third
    assert len(re.findall(r'data-line="(\d+)"', third)) == 20
    prev_link = re.search(r'href="\?([^"]*before=[^"]*)"', third).group(1).replace("&amp;", "&")
    back = client.get(f"{url}?{prev_link}").content.decode()
    assert "Page 2 sur 3" in back
    assert re.findall(r'data-line="(\d+)"', back) == ids_second
    prev_link = re.search(r'href="\?([^"]*before=[^"]*)"', back).group(1).replace("&amp;", "&")
    again = client.get(f"{url}?{prev_link}").content.decode()
    assert "Page 1 sur 3" in again
    assert re.findall(r'data-line="(\d+)"', again) == re.findall(r'data-line="(\d+)"', first)
    # filters keep the count of what they select
    assert "Page 1 sur 1" in client.get(url, {"account": "411"}).content.decode()


def test_the_whole_journal_takes_its_line_count_from_the_balances(client, afpi):
    """120 lines, 3 pages: the unfiltered journal reads the count kept with the balances
    instead of counting the relay's lines (thousands at national scale); a filter counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(60):
        _post(afpi, n)
    client.force_login(staff_user(afpi))
    url = reverse("funding:journal", args=[afpi.slug])

    def line_counts(params=None):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url, params or {}).content.decode()
        counted = [
            q["sql"]
            for q in ctx.captured_queries
            if "COUNT(*)" in q["sql"] and 'FROM "funding_journalline"' in q["sql"]
        ]
        return html, counted

    html, counted = line_counts()
    assert "Page 1 sur 3" in html and counted == []
    html, counted = line_counts({"account": "512"})
    assert "Page 1 sur 2" in html and len(counted) == 1  # 60 bank lines


def test_a_journal_row_says_what_it_reverses_and_who_posted_it(client, afpi):
    """A row shows its entry's number, date, account in words, amount and origin; a reversal
    names the entry it cancels and the person who posted it."""
    staff = staff_user(afpi)
    entry = _post(afpi, 1, amount="1500.00")
    reversal = entry_reverse(entry=entry, by=staff, reason="Erreur de saisie")
    client.force_login(staff)
    html = unescape(client.get(reverse("funding:journal", args=[afpi.slug])).content.decode())
    rows = re.findall(r"<tr data-line=.*?</tr>", html, re.S)
    mine = [r for r in rows if f"<td>{reversal.pk}</td>" in r]
    assert len(mine) == 2  # the reversal's two lines
    assert f"contrepasse n° {entry.pk}" in mine[0]
    assert f"Contrepassation · par {staff}" in mine[0]
    original = [r for r in rows if f"<td>{entry.pk}</td>" in r]
    assert "contrepasse" not in original[0] and "02/01/2026" in original[0]
    assert "Paiement d'un consultant" in original[0] and " · par " not in original[0]
    assert "1\u202f500,00\u00a0€" in original[0] and "512</span> Banque" in "".join(original)
