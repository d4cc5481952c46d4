"""Every CSV and XLSX the portal writes keeps formula-shaped text inert (OWASP CSV injection).

A company named like a formula and a payment reference like a formula go through every
export: the enrolment list (at once and in the background), the relay's journal, every table
of the Region's dashboard and the consultant pool.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from zeal import zeal_ignore

from consultants.models import Expert
from consultants.pool_csv import pool_import_csv
from core.models import Relay
from core.spreadsheets import FORMULA_PREFIXES, csv_text, xlsx_bytes
from enrolment.exports import export_run
from enrolment.models import ExportJob
from funding.models import Payment
from funding.services import payment_record
from reporting.selectors import dashboard
from tests.factories import UserFactory
from tests.funding.factories import company, consultant, signed_enrolment, staff_user, withdraw

pytestmark = pytest.mark.django_db
COMPANY = '=HYPERLINK("http://evil.example","Cliquez")'
REFERENCE = "@SUM(1)"


def _csv_rows(content: bytes | str) -> list[list[str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except ArithmeticError:
        return False
    return True


def assert_csv_inert(rows: list[list[str]]) -> None:
    """No cell a spreadsheet would run: formula-shaped text starts with a quote."""
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES) or _is_number(cell), cell


def assert_xlsx_inert(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    values = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
        values.append([cell.value for cell in row])
    return values


def test_the_writer_quotes_formula_text_and_keeps_numbers():
    rows = [[COMPANY, "+33 4 72", "-x", "\tcaché", Decimal("-12.50"), -3, None]]
    written = _csv_rows(csv_text(headers=["Entreprise", "a", "b", "c", "d", "e", "f"], rows=rows))
    assert written[1] == [f"'{COMPANY}", "'+33 4 72", "'-x", "'\tcaché", "-12,50", "-3", ""]
    values = assert_xlsx_inert(xlsx_bytes(title="t", headers=["Entreprise"] * 7, rows=rows))
    assert values[1][:6] == [COMPANY, "+33 4 72", "-x", "\tcaché", -12.5, -3]


@pytest.fixture
def world():
    """A signed company named like a formula, paid with a formula-shaped reference; a
    withdrawn one (the dashboard lists it); a consultant whose firm looks like a formula."""
    afpi = Relay.objects.get(slug="afpi")
    staff = staff_user(afpi)
    signed = signed_enrolment(company=company(relay=afpi, name=COMPANY), staff=staff)
    with zeal_ignore():
        payment_record(
            relay=afpi,
            kind=Payment.Kind.COMPANY,
            date=timezone.localdate(),
            amount=Decimal("100.00"),
            reference=REFERENCE,
            company=signed.company,
            by=staff,
        )
    gone = signed_enrolment(company=company(relay=afpi, name="-" + COMPANY), staff=staff)
    withdraw(gone, staff=staff)
    expert = consultant()
    Expert.objects.filter(pk=expert.pk).update(firm=COMPANY)
    return {"relay": afpi, "staff": staff, "expert": expert}


def test_enrolment_exports_are_inert(client, world, settings):
    client.force_login(world["staff"])
    rows = _csv_rows(client.get(reverse("enrolment:staff_export")).content)
    assert_csv_inert(rows)
    assert f"'{COMPANY}" in [r[1] for r in rows]
    assert rows[0][:2] == ["SIRET", "Entreprise"]  # French headers
    # the background export (large selections) writes the same file
    settings.ENROLMENT_EXPORT_SYNC_MAX = 0
    client.get(reverse("enrolment:staff_export"))
    job = ExportJob.objects.get(requested_by=world["staff"])
    export_run(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        rows = _csv_rows(handle.read())
    assert_csv_inert(rows)
    assert f"'{COMPANY}" in [r[1] for r in rows]


def test_journal_exports_are_inert(client, world):
    client.force_login(world["staff"])
    url = reverse("funding:journal", args=[world["relay"].slug])
    rows = _csv_rows(client.get(url, {"format": "csv"}).content)
    assert_csv_inert(rows)
    header = rows[0]
    company_col, reference_col = header.index("Entreprise"), header.index("Référence du paiement")
    assert f"'{COMPANY}" in [r[company_col] for r in rows]
    assert f"'{REFERENCE}" in [r[reference_col] for r in rows]
    values = assert_xlsx_inert(client.get(url, {"format": "xlsx"}).content)
    assert COMPANY in [r[company_col] for r in values]
    assert REFERENCE in [r[reference_col] for r in values]


def test_every_dashboard_table_exports_inert(client, world):
    region = UserFactory(region=True)
    client.force_login(region)
    keys = [t.key for t in dashboard(user=region)["tables"]]
    assert "withdrawals" in keys
    seen = []
    for key in keys:
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse("reporting:dashboard"), {"export": key, "format": fmt})
            assert response.status_code == 200, (key, fmt)
            if fmt == "csv":
                rows = _csv_rows(response.content)
                assert_csv_inert(rows)
                seen += [cell for row in rows for cell in row]
            else:
                seen += [v for row in assert_xlsx_inert(response.content) for v in row]
    assert f"'-{COMPANY}" in seen and f"-{COMPANY}" in seen  # the withdrawn company, both ways


def test_pool_export_is_inert_and_reads_back_as_typed(client, world):
    director = UserFactory(director=True)
    client.force_login(director)
    content = client.get(reverse("consultants:pool_export")).content
    rows = _csv_rows(content)
    assert_csv_inert(rows)
    assert f"'{COMPANY}" in [r[rows[0].index("cabinet")] for r in rows]
    with zeal_ignore():  # a batch import of every expert (the pages are checked elsewhere)
        report = pool_import_csv(content=content.decode("utf-8"), by=director)
    assert report.ok
    world["expert"].refresh_from_db()
    assert world["expert"].firm == COMPANY


def test_every_export_view_goes_through_the_one_writer():
    """No module but core.spreadsheets writes a CSV or an XLSX."""
    import pathlib

    root = pathlib.Path(settings.BASE_DIR)
    offenders = []
    for path in root.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations", "bench"} for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if path.name != "spreadsheets.py" and ("csv.writer" in text or "Workbook(" in text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
