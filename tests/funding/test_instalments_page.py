"""The Region's aid instalments as a tool: filters (state, relay, due period), pages that say
"Page 1 sur 2", the running total next to a sticky "Approuver" and a confirmation that states
how many instalments and their total before anything is approved."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Relay
from funding import views
from funding.models import AidInstalment
from tests.factories import UserFactory

from .factories import company, signed_enrolment

pytestmark = pytest.mark.django_db
D = Decimal


def _advance(relay_slug, name, *, amount, due_on, status="due"):
    enrolment = signed_enrolment(
        company=company(relay=Relay.objects.get(slug=relay_slug), name=name)
    )
    instalment = AidInstalment.objects.get(enrolment=enrolment, kind="advance")
    AidInstalment.objects.filter(pk=instalment.pk).update(
        amount=amount, due_on=due_on, status=status, paid_on=due_on if status == "paid" else None
    )
    instalment.refresh_from_db()
    return instalment


@pytest.fixture
def world():
    return {
        "a": _advance("afpi", "Alpha Usinage", amount=D("1000.00"), due_on=dt.date(2026, 1, 10)),
        "b": _advance("afpi", "Bravo Fonderie", amount=D("2500.50"), due_on=dt.date(2026, 2, 10)),
        "p": _advance(
            "afpi",
            "Papa Décolletage",
            amount=D("700.00"),
            due_on=dt.date(2026, 1, 5),
            status="paid",
        ),
        "c": _advance("cci", "Charlie Plasturgie", amount=D("400.00"), due_on=dt.date(2026, 3, 5)),
    }


def _names(html: str) -> set[str]:
    body = html[html.index('id="instalments"') :]
    body = body[: body.index("</table>")]
    return {n for n in ("Alpha", "Bravo", "Papa", "Charlie") if n in body}


def test_filters_by_state_relay_and_due_period_with_the_selection_total(client, world):
    client.force_login(UserFactory(region=True))
    url = reverse("funding:instalments")
    html = client.get(url).content.decode()
    assert _names(html) == {"Alpha", "Bravo", "Charlie"}  # payable ones by default, not paid
    assert "3 échéances, 3\u202f900,50\u00a0€ au total" in html
    assert _names(client.get(url, {"status": "paid"}).content.decode()) == {"Papa"}
    assert _names(client.get(url, {"status": "all"}).content.decode()) == {
        "Alpha",
        "Bravo",
        "Papa",
        "Charlie",
    }
    html = client.get(url, {"relay": "cci"}).content.decode()
    assert _names(html) == {"Charlie"} and "1 échéance, 400,00\u00a0€" in html
    html = client.get(url, {"due_from": "2026-01-01", "due_to": "2026-02-28"}).content.decode()
    assert _names(html) == {"Alpha", "Bravo"}
    # the filters are drop-downs and dates, not a raw multi-select
    assert '<select name="status"' in html and '<select name="relay"' in html
    assert 'type="date" name="due_from"' in html


def test_pages_say_their_number_and_keep_the_filters(client, world, monkeypatch):
    monkeypatch.setattr(views, "INSTALMENTS_PAGE_SIZE", 2)
    client.force_login(UserFactory(region=True))
    url = reverse("funding:instalments")
    first = client.get(url, {"status": "all"}).content.decode()
    assert "Page 1 sur 2" in first and _names(first) == {"Papa", "Alpha"}  # by due date
    link = re.search(r'href="\?([^"]*page=2)"', first).group(1).replace("&amp;", "&")
    assert "status=all" in link
    second = client.get(f"{url}?{link}").content.decode()
    assert "Page 2 sur 2" in second and _names(second) == {"Bravo", "Charlie"}
    assert "Précédente" in second


def test_the_approve_button_sits_in_a_sticky_bar_with_the_running_total(client, world):
    client.force_login(UserFactory(region=True))
    html = client.get(reverse("funding:instalments")).content.decode()
    bar = html[html.index('class="sticky-actions') :]
    assert "Approuver" in bar[:400] and 'id="selection-total"' in bar[:800]
    assert f'value="{world["b"].pk}" id="inst-{world["b"].pk}" data-amount="2500.50"' in html
    assert "js/instalments.js" in html
    # relay staff read the list without the approval controls
    client.force_login(UserFactory(role="relay_staff", relay=Relay.objects.get(slug="afpi")))
    html = client.get(reverse("funding:instalments")).content.decode()
    assert "sticky-actions" not in html and 'name="instalment"' not in html


def test_approval_is_confirmed_with_its_total_then_returns_to_the_filtered_list(client, world):
    client.force_login(UserFactory(region=True))
    url = reverse("funding:instalments")
    ids = [world["a"].pk, world["b"].pk, world["p"].pk]  # the paid one is not approvable
    step = client.post(url, {"instalment": ids, "back": "relay=afpi"})
    assert step.status_code == 200
    html = step.content.decode()
    assert "Vous approuvez 2 échéances pour un total de 3\u202f500,50\u00a0€." in html
    assert "Papa" not in html
    assert AidInstalment.objects.filter(status="approved").count() == 0  # nothing yet
    confirm = {
        "instalment": [world["a"].pk, world["b"].pk],
        "back": "relay=afpi",
        "confirm": "1",
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', html).group(1),
    }
    response = client.post(url, confirm)
    assert response.status_code == 302 and response["Location"] == f"{url}?relay=afpi"
    assert set(AidInstalment.objects.filter(status="approved").values_list("pk", flat=True)) == {
        world["a"].pk,
        world["b"].pk,
    }
    # nothing chosen: back to the list with a message, nothing approved
    response = client.post(url, {"back": ""}, follow=True)
    assert "Sélectionnez au moins une échéance exigible." in response.content.decode()
