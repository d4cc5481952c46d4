"""Agreements: versions, permission-checked downloads, signature, batch generation."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from zeal import zeal_ignore

from agreements.models import Agreement, AgreementSignature
from agreements.services import agreement_ensure_current
from core.models import OutboxMessage
from core.outbox import outbox_process_message
from enrolment.models import EnrolmentState
from tests.factories import UserFactory

from .helpers import assign_consultant, enrolment_validated, staff_user

pytestmark = pytest.mark.django_db
S = EnrolmentState


def process_outbox() -> None:
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox_process_message(pk)


@pytest.fixture
def ready():
    """An enrolment whose consultant is assigned, with the outbox processed (v1, then v2)."""
    with zeal_ignore():
        staff = staff_user()
        enrolment = enrolment_validated(staff=staff)
        process_outbox()
        assign_consultant(enrolment, staff=staff)
        process_outbox()
    enrolment.refresh_from_db()
    return enrolment, staff


def test_validation_then_consultant_gives_two_versions_and_a_rerun_changes_nothing(ready):
    enrolment, _ = ready
    versions = list(enrolment.agreements.order_by("version"))
    assert [a.version for a in versions] == [1, 2]
    assert [a.status for a in versions] == ["superseded", "issued"]
    assert versions[0].content_hash != versions[1].content_hash
    assert len(versions[1].sha256) == 64
    with zeal_ignore():
        again = agreement_ensure_current(enrolment_id=enrolment.pk)
    assert again.pk == versions[1].pk
    assert enrolment.agreements.count() == 2


def test_only_those_who_see_the_enrolment_download_it(client, ready):
    enrolment, staff = ready
    url = reverse("agreements:agreement_download", args=[enrolment.pk, 1])
    client.force_login(enrolment.company.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory())  # another company's owner
    assert client.get(url).status_code == 404
    client.force_login(staff_user("cci"))  # another relay
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert (
        client.get(reverse("agreements:agreement_detail", args=[enrolment.pk])).status_code == 200
    )


def test_owner_accepts_the_current_version_and_the_enrolment_moves_on(client, ready):
    enrolment, _ = ready
    owner = enrolment.company.owner
    client.force_login(owner)
    url = reverse("agreements:agreement_accept", args=[enrolment.pk])
    # the old version cannot be accepted
    response = client.post(url, {"version": "1", "accept": "1"}, follow=True)
    assert not AgreementSignature.objects.exists()
    assert "Cochez la case" in response.content.decode()
    response = client.post(url, {"version": "2", "accept": "1"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    signature = AgreementSignature.objects.get()
    current = enrolment.agreements.get(version=2)
    assert signature.signed_by == owner
    assert signature.ip_address == "203.0.113.7"
    assert signature.version == 2 and signature.checksum == current.sha256
    enrolment.refresh_from_db()
    assert enrolment.state == S.AGREEMENT_SIGNED
    assert OutboxMessage.objects.filter(kind="enrolment.agreement_signed").exists()
    current.refresh_from_db()
    assert current.status == Agreement.Status.SIGNED
    # signed: nothing regenerates any more
    with zeal_ignore():
        assert agreement_ensure_current(enrolment_id=enrolment.pk).pk == current.pk


def test_relay_uploads_a_scanned_copy_checked_by_content(client, ready, settings):
    enrolment, staff = ready
    client.force_login(staff)
    url = reverse("agreements:agreement_upload", args=[enrolment.pk])
    fake = SimpleUploadedFile("copie.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client.post(url, {"file": fake})
    assert response.status_code == 200
    assert "pas un PDF lisible" in response.content.decode()
    settings.AGREEMENT_MAX_UPLOAD_BYTES = 1000
    current = enrolment.agreements.get(version=2)
    with current.file.open("rb") as handle:
        real = handle.read()
    big = SimpleUploadedFile("scan.pdf", real, content_type="application/pdf")
    response = client.post(url, {"file": big})
    assert "taille maximale" in response.content.decode()
    settings.AGREEMENT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    scan = SimpleUploadedFile("../../etc/scan.pdf", real, content_type="application/pdf")
    response = client.post(url, {"file": scan})
    assert response.status_code == 302
    signature = AgreementSignature.objects.get()
    assert signature.method == "scanned"
    assert "etc" not in signature.scanned_copy.name and "scan" not in signature.scanned_copy.name
    download = reverse("agreements:agreement_signed_copy", args=[enrolment.pk])
    assert client.get(download).status_code == 200
    client.force_login(UserFactory())
    assert client.get(download).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.state == S.AGREEMENT_SIGNED


def test_owner_cannot_upload_and_staff_cannot_accept(client, ready):
    enrolment, staff = ready
    client.force_login(enrolment.company.owner)
    fake = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    url = reverse("agreements:agreement_upload", args=[enrolment.pk])
    assert client.post(url, {"file": fake}).status_code == 403
    client.force_login(staff)
    url = reverse("agreements:agreement_accept", args=[enrolment.pk])
    assert client.post(url, {"version": "2", "accept": "1"}).status_code == 403
    assert not AgreementSignature.objects.exists()


def test_batch_generation_progress_and_zip(client):
    with zeal_ignore():
        staff = staff_user()
        enrolments = [enrolment_validated(staff=staff) for _ in range(3)]
        OutboxMessage.objects.filter(kind="enrolment.validated").update(status="done")
    client.force_login(staff)
    response = client.post(
        reverse("agreements:agreement_batch_new"), {"enrolments": [e.pk for e in enrolments]}
    )
    assert response.status_code == 302
    batch_url = response["Location"]
    progress_url = batch_url + "etat.json"
    assert json.loads(client.get(progress_url).content)["percent"] == 0
    with zeal_ignore():
        process_outbox()
    progress = json.loads(client.get(progress_url).content)
    assert progress == {"total": 3, "done": 3, "failed": 0, "percent": 100, "finished": True}
    response = client.get(batch_url + "conventions.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    assert all(archive.read(n).startswith(b"%PDF-") for n in archive.namelist())
    client.force_login(staff_user("cci"))
    assert client.get(progress_url).status_code == 404


def test_closing_report_pdf_is_permission_checked(client, ready):
    enrolment, staff = ready
    url = reverse("agreements:closing_report_pdf", args=[enrolment.pk])
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_agreement_page_query_count_does_not_grow_with_versions(
    client, ready, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrolment, staff = ready
    client.force_login(staff)
    url = reverse("agreements:agreement_detail", args=[enrolment.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with zeal_ignore():
        for n in range(3, 8):
            Agreement.objects.create(
                enrolment=enrolment, version=n, file="x.pdf", sha256="0" * 64, content_hash=str(n)
            )
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_batch_pages_and_home_panel_render_for_relay_staff(client, ready):
    enrolment, staff = ready
    client.force_login(staff)
    page = client.get(reverse("agreements:agreement_batch_new")).content.decode()
    assert enrolment.company.name in page
    response = client.post(reverse("agreements:agreement_batch_new"), {})
    assert "Sélectionnez au moins une inscription" in response.content.decode()
    response = client.post(
        reverse("agreements:agreement_batch_new"), {"enrolments": [enrolment.pk]}
    )
    page = client.get(response["Location"]).content.decode()
    assert '<progress class="progress-meter" id="batch-bar"' in page and "etat.json" in page
    home = client.get(reverse("core:home")).content.decode()
    assert "Conventions à signer" in home and enrolment.company.name in home
    client.force_login(enrolment.company.owner)
    assert client.get(reverse("agreements:agreement_batch_new")).status_code == 403
    assert enrolment.company.name in client.get(reverse("core:home")).content.decode()
