"""The owner's pages and the relay staff pages, through the test client."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from zeal import zeal_ignore

from catalogue.models import Offer
from core.models import OutboxMessage, Relay
from core.outbox import outbox_process_message
from diagnostics.models import Diagnosis
from enrolment.exports import export_run
from enrolment.models import Enrolment, EnrolmentState, ExportJob
from tests.builders import enrolment_at
from tests.enrolment.helpers import diagnosed_enrolment, staff
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory, valid_siret

pytestmark = pytest.mark.django_db
S = EnrolmentState

COMPANY = {
    "name": "Tôlerie Fine Lyonnaise",
    "naf_code": "25.11Z",
    "headcount": "27",
    "turnover": "3 200 000,00",
    "balance_sheet_total": "",
    "address": "4 rue de l'Industrie",
    "postcode": "69100",
    "city": "Villeurbanne",
}


def _pilot(prefix, **kw):
    data = {
        "first_name": "Karim",
        "last_name": "Benali",
        "job_title": "Chef d'atelier",
        "email": "k.benali@example.test",
        "phone": "",
    }
    data.update(kw)
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_owner_journey_from_sign_up_to_submitted_offer(client):
    start = reverse("enrolment:start")
    assert "Créer mon compte" in client.get(start).content.decode()
    client.post(
        start,
        {
            "first_name": "Christine",
            "last_name": "Morel",
            "email": "c.morel@example.test",
            "phone": "",
            "password1": "Usinage-2007!",
            "password2": "Usinage-2007!",
        },
    )
    response = client.post(start, {"siret": valid_siret(77)})
    enrolment = Enrolment.objects.get(company__siret=valid_siret(77))
    assert response.url == reverse("enrolment:company", args=[enrolment.pk])
    # leaving and coming back resumes where the owner was
    assert client.get(start).url == reverse("enrolment:company", args=[enrolment.pk])
    # saving the company checks eligibility at once, then opens the first theme
    response = client.post(
        response.url, {**COMPANY, "version": enrolment.version, "intent": "submit"}
    )
    enrolment.refresh_from_db()
    assert enrolment.state == S.ELIGIBLE
    diagnosis = Diagnosis.objects.get(enrolment=enrolment)
    assert response.url == reverse("diagnostics:theme", args=[diagnosis.pk, 1])
    status = client.get(reverse("enrolment:status", args=[enrolment.pk])).content.decode()
    assert "Établissement situé dans le département 69 Rhône" in status
    answers = {
        f"q-{code}": ("0" if theme == "stocks" else "3")
        for code, theme in diagnosis.questionnaire.questions.values_list("code", "theme__code")
    }
    response = client.post(
        reverse("diagnostics:take", args=[diagnosis.pk]), {**answers, "action": "submit"}
    )
    assert response.url == reverse("diagnostics:results", args=[diagnosis.pk])
    results = client.get(response.url).content.decode()
    assert "<svg" in results and "Performance ciblée" in results
    offer_url = reverse("enrolment:offer", args=[enrolment.pk])
    page = client.get(offer_url).content.decode()
    assert "2\u202f928,00" in page  # 2 440 HT + 20 % VAT, computed with Decimal
    enrolment.refresh_from_db()
    data = {
        "version": enrolment.version,
        "offer": Offer.objects.get(code="ciblee").pk,
        "problem_theme": _theme_pk("stocks"),
        **_pilot("pilot1"),
        **_pilot("pilot2", first_name="", last_name="", job_title="", email=""),
    }
    response = client.post(offer_url, data)
    review = reverse("enrolment:review", args=[enrolment.pk])
    assert response.url == review
    # a double click posts the same form again: it lands on the same check page
    assert client.post(offer_url, data).url == review
    enrolment.refresh_from_db()
    assert enrolment.state == S.DIAGNOSED  # nothing is sent before the check page
    response = client.post(review, {"version": enrolment.version})
    confirmation = reverse("enrolment:confirmation", args=[enrolment.pk])
    assert response.url == confirmation
    # a double click on "Envoyer" ends on the same receipt, nothing sent twice
    assert client.post(review, {"version": enrolment.version}).url == confirmation
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN
    assert enrolment.pilots.count() == 1
    assert Enrolment.objects.filter(company=enrolment.company).count() == 1


def _theme_pk(code):
    from diagnostics.models import Theme

    return Theme.objects.filter(code=code).values_list("pk", flat=True).first()


def test_bad_company_input_keeps_what_was_typed(client):
    enrolment = EnrolmentFactory(company__naf_code="", company__postcode="")
    client.force_login(enrolment.company.owner)
    url = reverse("enrolment:company", args=[enrolment.pk])
    response = client.post(
        url, {**COMPANY, "postcode": "00100", "naf_code": "25X", "version": enrolment.version}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Code postal inconnu" in html and "quatre chiffres et une lettre" in html
    assert 'value="Tôlerie Fine Lyonnaise"' in html and 'value="00100"' in html


def test_stale_tab_is_refused_without_losing_input(client):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.company.owner)
    url = reverse("enrolment:company", args=[enrolment.pk])
    stale = enrolment.version
    client.post(url, {**COMPANY, "version": stale})
    response = client.post(url, {**COMPANY, "city": "Bron", "version": stale})
    html = response.content.decode()
    assert "modifiée entre-temps" in html and 'value="Bron"' in html
    enrolment.company.refresh_from_db()
    assert enrolment.company.city == "Villeurbanne"


def test_invalid_siret_message_at_the_field(client):
    client.force_login(UserFactory())
    siret = valid_siret(5)
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
    html = client.post(reverse("enrolment:start"), {"siret": wrong}).content.decode()
    assert "clé de contrôle" in html and f'value="{wrong}"' in html


def test_second_enrolment_is_told_whom_to_contact(client):
    enrolment = EnrolmentFactory()
    Relay.objects.filter(pk=enrolment.company.relay_id).update(email="inscriptions@afpi.test")
    with zeal_ignore():
        other = UserFactory()
    client.force_login(other)
    html = client.post(reverse("enrolment:start"), {"siret": enrolment.company.siret})
    html = html.content.decode()
    assert "existe déjà" in html and "inscriptions@afpi.test" in html


def test_approfondie_without_second_pilot_is_refused_at_the_field(client):
    enrolment = diagnosed_enrolment()
    client.force_login(enrolment.company.owner)
    response = client.post(
        reverse("enrolment:offer", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "offer": Offer.objects.get(code="approfondie").pk,
            **_pilot("pilot1"),
            **_pilot("pilot2", first_name="", last_name="", job_title="", email=""),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "second pilote" in html and 'value="Benali"' in html
    enrolment.refresh_from_db()
    assert enrolment.state == S.DIAGNOSED


# --- relay staff ----------------------------------------------------------------------------


def _many(n, relay_slug="afpi"):
    with zeal_ignore():
        for i in range(n):
            e = diagnosed_enrolment() if i < 3 else EnrolmentFactory()
            if relay_slug != "afpi":
                e.company.relay = Relay.objects.get(slug=relay_slug)
                e.company.save()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_issue_the_same_queries_for_5_and_200_enrolments(client):
    user = staff()
    client.force_login(user)
    _many(5)
    target = Enrolment.objects.filter(diagnoses__isnull=False).first()
    list_url = reverse("enrolment:staff_list")
    detail_url = reverse("enrolment:staff_detail", args=[target.pk])
    few = (_count(client, list_url), _count(client, detail_url))
    with zeal_ignore():
        owner = UserFactory()
        companies = CompanyFactory.build_batch(195, owner=owner)
        from enrolment.models import Company

        Company.objects.bulk_create(companies)
        Enrolment.objects.bulk_create(
            Enrolment(company=c, created_by=c.owner)
            for c in Company.objects.filter(enrolments=None)
        )
    assert Enrolment.objects.count() == 200
    many = (_count(client, list_url), _count(client, detail_url))
    assert few == many
    # the result count is the paginator's own COUNT, run once to choose the page
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(list_url).content.decode()
    assert re.search(r'id="result-count">200 inscriptions<', html)
    listed = 'SELECT COUNT(*) AS "__count" FROM "enrolment_enrolment"'
    assert sum(q["sql"].startswith(listed) for q in ctx.captured_queries) == 1


def test_the_dossier_reads_its_relay_once_for_the_page_and_its_frame(client):
    """The frame names the staff member's relay; the dossier hands it the relay it read (from
    the reference data: one read with the tests' cache off, none once kept in memory)."""
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    user = staff()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("enrolment:staff_detail", args=[enrolment.pk])).content.decode()
    assert f"— {user.relay.name}</h2>" in html  # the account menu names the relay
    assert len([q for q in ctx.captured_queries if 'FROM "core_relay"' in q["sql"]]) == 1


def test_owner_and_other_relays_cannot_see_staff_pages(client):
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    url = reverse("enrolment:staff_detail", args=[enrolment.pk])
    client.force_login(staff("cci"))
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
            {"version": enrolment.version},
        ).status_code
        == 404
    )
    client.force_login(enrolment.company.owner)
    assert client.get(reverse("enrolment:staff_list")).status_code == 403


def test_region_reads_everything_but_may_not_act(client):
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    with zeal_ignore():
        region = UserFactory(region=True)
    client.force_login(region)
    html = client.get(reverse("enrolment:staff_detail", args=[enrolment.pk])).content.decode()
    assert enrolment.company.name in html and "Valider l'inscription" not in html
    response = client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("enrolment:staff_bulk"), {"action": "validate", "selection": [enrolment.pk]}
    )
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.state == S.OFFER_CHOSEN


def test_staff_validate_note_and_send_back_from_the_detail_page(client):
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    client.force_login(staff())
    detail = reverse("enrolment:staff_detail", args=[enrolment.pk])
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "note"]), {"text": "Très motivé."}
    )
    html = client.get(detail).content.decode()
    assert "Très motivé." in html and "note interne" in html
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    enrolment.refresh_from_db()
    assert enrolment.state == S.VALIDATED
    # the owner never sees the internal note
    client.force_login(enrolment.company.owner)
    owner_page = client.get(reverse("enrolment:status", args=[enrolment.pk])).content.decode()
    assert "Très motivé." not in owner_page


def test_bulk_validate_and_reattach(client):
    with zeal_ignore():
        a = enrolment_at(S.OFFER_CHOSEN)
        b = enrolment_at(S.OFFER_CHOSEN)
        c = enrolment_at(S.DRAFT)
    client.force_login(staff())
    response = client.post(
        reverse("enrolment:staff_bulk"), {"action": "validate", "selection": [a.pk, b.pk, c.pk]}
    )
    assert response.status_code == 302
    states = dict(Enrolment.objects.values_list("pk", "state"))
    assert states == {a.pk: S.VALIDATED, b.pk: S.VALIDATED, c.pk: S.DRAFT}
    cci = Relay.objects.get(slug="cci")
    client.post(
        reverse("enrolment:staff_bulk"),
        {"action": "reattach", "relay": cci.pk, "selection": [a.pk, b.pk]},
    )
    assert set(Enrolment.objects.filter(company__relay=cci).values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }


def test_list_filters_search_and_sort(client):
    with zeal_ignore():
        enrolment_at(S.OFFER_CHOSEN, name="Forge Alpha")
        enrolment_at(S.DRAFT, name="Beta Plasturgie")
        enrolment_at(S.VALIDATED, name="Gamma Usinage")
    client.force_login(staff())
    url = reverse("enrolment:staff_list")
    html = client.get(url).content.decode()
    assert 'id="result-count">3 inscriptions<' in html
    # the states are checkboxes in a panel (closed while unused), never a multi-select box
    assert '<select name="state"' not in html and "multiple" not in html
    assert 'type="checkbox" name="state" value="offer_chosen"' in html
    assert '<details class="filter-panel mt-2">' in html
    assert "asteriskField" not in html  # "Action groupée" always has a value: no star
    html = client.get(url, {"state": "offer_chosen"}).content.decode()
    assert "Forge Alpha" in html and "Beta Plasturgie" not in html
    assert 'id="result-count">1 inscription<' in html
    assert '<details class="filter-panel mt-2" open>' in html and "1 actif" in html
    assert re.search(r'value="offer_chosen"[^>]*checked', html)
    html = client.get(url, {"state": ["offer_chosen", "validated"]}).content.decode()
    assert 'id="result-count">2 inscriptions<' in html and "Beta Plasturgie" not in html
    html = client.get(url, {"q": "plast"}).content.decode()
    assert "Beta Plasturgie" in html and "Forge Alpha" not in html
    html = client.get(url, {"sort": "company"}).content.decode()
    assert html.index("Beta Plasturgie") < html.index("Forge Alpha")


def test_list_sort_and_page_links_keep_the_filters(client):
    """The header's links sort the filtered list and flip the order; the page links keep the
    filters and the order; each page shows its own rows."""
    with zeal_ignore():
        for i in range(30):
            enrolment_at(S.OFFER_CHOSEN, name=f"Forge {i:02d}")
        enrolment_at(S.DRAFT, name="Autre Brouillon")
    client.force_login(staff())
    url = reverse("enrolment:staff_list")
    html = client.get(url, {"state": "offer_chosen", "sort": "company"}).content.decode()
    assert 'id="result-count">30 inscriptions<' in html and "Autre Brouillon" not in html
    assert (
        '<th class="asc orderable" scope="col"><a href="?state=offer_chosen&amp;sort=-company">'
        in html
    )
    assert '<a href="?state=offer_chosen&amp;sort=siret">SIRET</a>' in html
    names = re.findall(r">(Forge \d\d)</a>", html)
    assert names == [f"Forge {i:02d}" for i in range(25)]
    assert 'id="list-page-status">Page 1 sur 2<' in html
    assert "Précédente" not in html
    following = re.search(r'<a class="page-link" href="([^"]+)">Suivante</a>', html)[1]
    assert following == "?state=offer_chosen&amp;sort=company&amp;page=2"
    html = client.get(url + following.replace("&amp;", "&")).content.decode()
    assert re.findall(r">(Forge \d\d)</a>", html) == [f"Forge {i:02d}" for i in range(25, 30)]
    assert 'id="list-page-status">Page 2 sur 2<' in html and "Suivante" not in html
    html = client.get(url, {"state": "offer_chosen", "sort": "-company"}).content.decode()
    assert re.findall(r">(Forge \d\d)</a>", html)[0] == "Forge 29"
    assert (
        '<th class="desc orderable" scope="col"><a href="?state=offer_chosen&amp;sort=company">'
        in html
    )
    html = client.get(url, {"q": "introuvable"}).content.decode()
    assert 'id="result-count">0 inscriptions<' in html
    assert '<td colspan="9">Aucune inscription ne correspond à ces critères.</td>' in html


def test_csv_export_escapes_formulas(client):
    EnrolmentFactory(company__name='=HYPERLINK("http://evil")')
    client.force_login(staff())
    response = client.get(reverse("enrolment:staff_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_large_export_runs_in_the_background_with_progress(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ENROLMENT_EXPORT_SYNC_MAX = 2
    _many(4)
    _many(2, relay_slug="cci")  # another relay's rows never leak into the file
    user = staff()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("enrolment:staff_export"))
    job = ExportJob.objects.get(requested_by=user)
    assert response.url == reverse("enrolment:export_status", args=[job.pk])
    assert len(callbacks) == 1  # the outbox message is handed to the broker after commit
    message = OutboxMessage.objects.get(kind="enrolment.export_requested")
    assert message.payload == {"job_id": job.pk}  # kept even if the broker is down
    progress = reverse("enrolment:export_progress", args=[job.pk])
    assert client.get(progress).json()["download_url"] is None
    with zeal_ignore():  # two deliveries of one message, not a page
        outbox_process_message(message.pk)  # what the worker runs
        export_run(job.pk)  # a second delivery writes nothing more
    assert ExportJob.objects.get(pk=job.pk).file.name.endswith(f"inscriptions-{job.pk}.csv")
    state = client.get(progress).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["total"] == 4
    download = client.get(state["download_url"])
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert len(content.strip().splitlines()) == 5
    client.force_login(staff())
    assert client.get(state["download_url"]).status_code == 404
