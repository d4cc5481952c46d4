"""Every upload point refuses an oversized file and a wrong type, in French, storing nothing.

Upload points (grep FileField / request.FILES): the scanned signed agreement (relay staff,
/inscriptions/<id>/convention/…) and the CSV import of the consultant pool (director). The
other FileFields (agreement PDFs, export files) are written by the portal itself and read-only
in the admin.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from zeal import zeal_ignore

from agreements.models import AgreementSignature
from consultants.models import Expert
from core.models import OutboxMessage
from core.outbox import outbox_process_message
from enrolment.models import EnrolmentState
from tests.agreements.helpers import assign_consultant, enrolment_validated, staff_user
from tests.consultants.factories import director

pytestmark = pytest.mark.django_db


def _process_outbox() -> None:
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox_process_message(pk)


@pytest.fixture
def agreement_ready():
    with zeal_ignore():
        staff = staff_user()
        enrolment = enrolment_validated(staff=staff)
        _process_outbox()
        assign_consultant(enrolment, staff=staff)
        _process_outbox()
    enrolment.refresh_from_db()
    current = enrolment.agreements.order_by("-version").first()
    with current.file.open("rb") as handle:
        pdf = handle.read()
    return enrolment, staff, pdf


def _zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


# --- the scanned signed agreement -------------------------------------------------------------

SIGNED_COPY_CASES = {
    "oversized": ("scan.pdf", None, "dépasse la taille maximale de 1 Mo"),
    "wrong extension": ("scan.docx", None, "seuls les fichiers .pdf sont acceptés"),
    "image renamed .pdf": ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 200, "pas un PDF lisible"),
    "truncated PDF": ("scan.pdf", b"%PDF-1.7\n%garbage only", "pas un PDF lisible"),
}


@pytest.mark.parametrize("case", SIGNED_COPY_CASES)
def test_signed_copy_refuses_oversized_and_wrong_type(client, settings, agreement_ready, case):
    enrolment, staff, pdf = agreement_ready
    name, content, message = SIGNED_COPY_CASES[case]
    if case == "oversized":
        settings.AGREEMENT_MAX_UPLOAD_BYTES = 1024 * 1024
        content = pdf + b"%" + b"0" * (1024 * 1024)  # a real PDF, padded past 1 MB
    client.force_login(staff)
    url = reverse("agreements:agreement_upload", args=[enrolment.pk])
    upload = SimpleUploadedFile(name, content if content is not None else pdf, "application/pdf")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="invalid-feedback"' in html or "is-invalid" in html  # under the field
    assert AgreementSignature.objects.count() == 0
    enrolment.refresh_from_db()
    assert enrolment.state != EnrolmentState.AGREEMENT_SIGNED
    # the same real PDF, under the limit and well named, is accepted
    settings.AGREEMENT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    response = client.post(url, {"file": SimpleUploadedFile("scan.pdf", pdf, "application/pdf")})
    assert response.status_code == 302
    assert AgreementSignature.objects.count() == 1


# --- the CSV import of the consultant pool ----------------------------------------------------

ROW = (
    "email;prenom;nom;type;cabinet;specialites;departements;capacite;habilitation;"
    "tarif_demi_journee_ht\n"
    "neuve@test.example;Anaïs;Neuve;consultant;Cabinet Hélène;stocks;69;5;actif;805,00\n"
)

CSV_CASES = {
    "oversized": ("vivier.csv", (ROW + "x;" * 600).encode(), "dépasse la taille maximale"),
    "wrong extension": ("vivier.xlsx", ROW.encode(), "seuls les fichiers .csv sont acceptés"),
    "spreadsheet renamed .csv": ("vivier.csv", _zip_bytes(), "pas un fichier CSV (texte)"),
    "PDF renamed .csv": ("vivier.csv", b"%PDF-1.4\n" + ROW.encode(), "pas un fichier CSV (texte)"),
    "binary with NUL bytes": ("vivier.csv", ROW.encode("utf-16"), "pas un fichier CSV (texte)"),
    "empty": ("vivier.csv", b"\n  \n", "Le fichier CSV est vide."),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_pool_import_refuses_oversized_and_wrong_type(client, settings, case):
    settings.CONSULTANT_IMPORT_MAX_UPLOAD_BYTES = 1024
    name, content, message = CSV_CASES[case]
    client.force_login(director())
    response = client.post(
        reverse("consultants:pool_import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "fiche(s) créée(s)" not in html  # nothing imported
    assert not Expert.objects.filter(user__email="neuve@test.example").exists()


def test_pool_import_reads_a_windows_1252_csv_from_excel(client, settings):
    settings.CONSULTANT_IMPORT_MAX_UPLOAD_BYTES = 1024
    client.force_login(director())
    upload = SimpleUploadedFile("vivier.csv", ROW.encode("cp1252"), "text/csv")
    html = client.post(reverse("consultants:pool_import"), {"file": upload}).content.decode()
    assert "1 fiche(s) créée(s)" in html
    expert = Expert.objects.get(user__email="neuve@test.example")
    assert expert.user.first_name == "Anaïs"


# --- request limits ---------------------------------------------------------------------------


def test_request_limits_refuse_too_many_fields_and_too_big_a_form(client, settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2.5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2.5 * 1024 * 1024
    client.force_login(director())
    url = reverse("consultants:pool_import")
    too_many = {f"f{i}": "x" for i in range(1001)}
    assert client.post(url, too_many).status_code == 400
    assert client.post(url, {"note": "x" * (3 * 1024 * 1024)}).status_code == 400
