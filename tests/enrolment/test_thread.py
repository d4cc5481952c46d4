"""Messages between the relay and the company on a dossier (issue 16).

Scoping (another relay or another company: 404), one e-mail per message with a link and never
the content, attachments checked by content, unread counts in the navigation, the request sent
back posted into the thread, and the personal-data export and anonymisation.
"""

from __future__ import annotations

import io
import os

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from zeal import zeal_ignore

from core.models import OutboxMessage, Relay, User
from core.outbox import outbox_process_message
from core.personal_data import person_anonymise, person_find, personal_data_collect
from core.roles import Role
from enrolment import actions, thread
from enrolment.models import DossierMessage, EnrolmentState
from tests.builders import PDF, a_consultant, enrolment_at, relay_staff_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = EnrolmentState


def _process_outbox() -> None:
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox_process_message(pk)


def _png(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def dossier():
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        staff = relay_staff_for(enrolment)
        foreign_staff = UserFactory(role=Role.RELAY_STAFF, relay=Relay.objects.get(slug="thesame"))
        other = enrolment_at(S.OFFER_CHOSEN, name="Autre Entreprise")
        _process_outbox()  # the journey's own e-mails (request sent) are not under test
        mail.outbox.clear()
    return {
        "enrolment": enrolment,
        "owner": enrolment.company.owner,
        "staff": staff,
        "foreign_staff": foreign_staff,
        "other": other,
    }


def _post(client, user, enrolment, text="Bonjour, où en est notre dossier ?", attachment=None):
    client.force_login(user)
    data = {"text": text}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post(reverse("enrolment:messages", args=[enrolment.pk]), data)


# --- Scoping ----------------------------------------------------------------------------------


def test_the_owner_and_the_relay_s_staff_read_the_thread_another_relay_gets_404(client, dossier):
    enrolment = dossier["enrolment"]
    response = _post(client, dossier["owner"], enrolment, text="Question sur le devis")
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("enrolment:status", args=[enrolment.pk]) + "#messages"
    )

    client.force_login(dossier["staff"])
    page = client.get(reverse("enrolment:staff_detail", args=[enrolment.pk]))
    assert "Question sur le devis" in page.content.decode()

    client.force_login(dossier["foreign_staff"])
    for url in (
        reverse("enrolment:messages", args=[enrolment.pk]),
        reverse("enrolment:staff_detail", args=[enrolment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert _post(client, dossier["foreign_staff"], enrolment).status_code == 404
    assert thread.thread_for(enrolment=enrolment, user=dossier["foreign_staff"]) == []
    assert DossierMessage.objects.visible_to(dossier["foreign_staff"]).count() == 0


def test_an_owner_sees_only_the_thread_of_their_own_dossier(client, dossier):
    _post(client, dossier["owner"], dossier["enrolment"], text="Message de la première")
    other_owner = dossier["other"].company.owner
    client.force_login(other_owner)
    assert (
        client.get(reverse("enrolment:messages", args=[dossier["enrolment"].pk])).status_code == 404
    )
    own = client.get(reverse("enrolment:status", args=[dossier["other"].pk])).content.decode()
    assert "Message de la première" not in own
    assert _post(client, other_owner, dossier["enrolment"]).status_code == 404
    assert DossierMessage.objects.count() == 1


def test_the_region_reads_and_cannot_write_the_consultant_never_sees_it(client, dossier):
    enrolment = dossier["enrolment"]
    _post(client, dossier["owner"], enrolment, text="Message lisible par la Région")
    region = UserFactory(region=True)
    client.force_login(region)
    page = client.get(reverse("enrolment:messages", args=[enrolment.pk])).content.decode()
    assert "Message lisible par la Région" in page
    assert 'id="message-form"' not in page
    assert _post(client, region, enrolment).status_code == 403
    consultant = a_consultant().user
    client.force_login(consultant)
    assert client.get(reverse("enrolment:messages", args=[enrolment.pk])).status_code == 403
    assert DossierMessage.objects.visible_to(consultant).count() == 0


# --- The e-mail to the other side -------------------------------------------------------------


def test_each_message_is_announced_once_by_e_mail_with_a_link_not_the_content(client, dossier):
    enrolment = dossier["enrolment"]
    _post(client, dossier["owner"], enrolment, text="Contenu confidentiel du message")
    _process_outbox()
    _process_outbox()
    message = DossierMessage.objects.get()
    thread.on_message_posted(OutboxMessage.objects.get(key=f"dossier-message:{message.pk}"))
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [dossier["staff"].email]
    assert "Contenu confidentiel" not in email.body + email.subject
    assert reverse("enrolment:staff_detail", args=[enrolment.pk]) + "#messages" in email.body
    message.refresh_from_db()
    assert message.notified_at is not None

    _post(client, dossier["staff"], enrolment, text="Réponse du relais")
    _process_outbox()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [dossier["owner"].email]
    assert reverse("enrolment:status", args=[enrolment.pk]) + "#messages" in mail.outbox[1].body
    assert "Réponse du relais" not in mail.outbox[1].body


def test_sending_a_request_back_posts_its_comment_into_the_thread(client, dossier):
    enrolment = dossier["enrolment"]
    actions.send_back(
        enrolment=enrolment, by=dossier["staff"], comment="Précisez le nom du second pilote."
    )
    message = DossierMessage.objects.get(enrolment=enrolment)
    assert (message.side, message.kind) == ("relay", "send_back")
    assert message.author == dossier["staff"]
    _process_outbox()
    assert [m.to for m in mail.outbox] == [[dossier["owner"].email]]
    client.force_login(dossier["owner"])
    page = client.get(reverse("enrolment:status", args=[enrolment.pk])).content.decode()
    assert "Précisez le nom du second pilote." in page


def test_a_refused_send_back_leaves_no_message(dossier):
    with pytest.raises(Exception):
        actions.send_back(enrolment=dossier["enrolment"], by=dossier["staff"], comment="  ")
    assert not DossierMessage.objects.exists()


# --- Unread counts ------------------------------------------------------------------------------


def test_unread_messages_are_counted_in_the_navigation_until_the_thread_is_opened(client, dossier):
    enrolment = dossier["enrolment"]
    _post(client, dossier["owner"], enrolment, text="Premier")
    _post(client, dossier["owner"], enrolment, text="Second")
    assert thread.unread_count(user=dossier["staff"]) == 2
    assert thread.unread_count(user=dossier["foreign_staff"]) == 0
    client.force_login(dossier["staff"])
    home = client.get(reverse("enrolment:staff_list")).content.decode()
    assert '2<span class="visually-hidden"> messages non lus' in home
    client.get(reverse("enrolment:staff_detail", args=[enrolment.pk]))
    assert thread.unread_count(user=dossier["staff"]) == 0
    assert thread.unread_count(user=dossier["owner"]) == 0  # their own messages never count
    # a director reading the dossier does not clear the relay's unread messages
    _post(client, dossier["owner"], enrolment, text="Troisième")
    client.force_login(UserFactory(director=True))
    client.get(reverse("enrolment:staff_detail", args=[enrolment.pk]))
    assert thread.unread_count(user=dossier["staff"]) == 1


def test_opening_the_thread_marks_read_only_the_messages_it_showed(dossier):
    enrolment, staff = dossier["enrolment"], dossier["staff"]
    first = thread.message_post(enrolment=enrolment, by=dossier["owner"], text="Premier")
    shown = [m.pk for m in thread.thread_for(enrolment=enrolment, user=staff)]
    # the owner writes again while the page is being built: that message was not shown
    thread.message_post(enrolment=enrolment, by=dossier["owner"], text="Second")
    assert thread.thread_mark_read(enrolment=enrolment, user=staff, shown=shown) == 1
    assert thread.unread_count(user=staff) == 1
    first.refresh_from_db()
    assert first.read_at is not None
    # nothing unread on the page: nothing written
    assert thread.thread_mark_read(enrolment=enrolment, user=staff, shown=[]) == 0
    assert thread.unread_count(user=staff) == 1


# --- Attachments --------------------------------------------------------------------------------

ATTACHMENT_CASES = {
    "wrong extension": ("note.docx", b"PK\x03\x04" + b"0" * 100, "seuls les fichiers .pdf"),
    "image renamed .pdf": ("scan.pdf", _png(), "pas un PDF lisible"),
    "pdf renamed .png": ("photo.png", PDF, "pas une image PNG lisible"),
    "jpeg named .png": ("photo.png", _png("JPEG"), "pas une image PNG lisible"),
    "oversized": ("gros.pdf", PDF + b"%" + b"0" * (1024 * 1024), "dépasse la taille maximale"),
}


@pytest.mark.parametrize("case", ATTACHMENT_CASES)
def test_a_bad_attachment_is_refused_in_french_and_nothing_is_stored(
    client, settings, dossier, case
):
    settings.MESSAGE_MAX_UPLOAD_BYTES = 1024 * 1024
    name, content, expected = ATTACHMENT_CASES[case]
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    response = _post(client, dossier["owner"], dossier["enrolment"], "Voici", upload)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert "Il y a un problème" in html
    assert "Voici" in html  # the typed message is kept
    assert not DossierMessage.objects.exists()
    assert not OutboxMessage.objects.filter(kind=thread.MESSAGE_POSTED).exists()


def test_a_pdf_or_image_attachment_is_kept_and_served_only_to_the_thread_s_readers(client, dossier):
    enrolment = dossier["enrolment"]
    upload = SimpleUploadedFile("../../Kbis société.png", _png(), "image/png")
    assert _post(client, dossier["owner"], enrolment, "Kbis joint", upload).status_code == 302
    message = DossierMessage.objects.get()
    assert message.attachment_type == "image/png"
    assert message.attachment_name.endswith(".png") and "/" not in message.attachment_name
    assert message.attachment.name.startswith("messages/")
    url = reverse("enrolment:message_attachment", args=[enrolment.pk, message.pk])
    client.force_login(dossier["staff"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == message.attachment.open("rb").read()
    client.force_login(dossier["foreign_staff"])
    assert client.get(url).status_code == 404
    client.force_login(dossier["other"].company.owner)
    assert client.get(url).status_code == 404
    pdf = SimpleUploadedFile("devis.pdf", PDF, "application/pdf")
    assert _post(client, dossier["staff"], enrolment, "Devis", pdf).status_code == 302
    assert DossierMessage.objects.filter(attachment_type="application/pdf").count() == 1


# --- Personal data ------------------------------------------------------------------------------


def test_the_personal_data_export_and_anonymisation_include_the_messages(client, dossier):
    enrolment = dossier["enrolment"]
    owner = dossier["owner"]
    with zeal_ignore():
        User.objects.filter(pk=owner.pk).update(first_name="Jeanne", last_name="Dufourcq")
        owner.refresh_from_db()
    upload = SimpleUploadedFile("scan.pdf", PDF, "application/pdf")
    _post(client, owner, enrolment, "Signé Jeanne Dufourcq, gérante", upload)
    _post(client, dossier["staff"], enrolment, "Merci Jeanne Dufourcq, bien reçu.")

    data = personal_data_collect(person_find(owner.email))
    exported = data["dossier_messages"]
    assert [m["text"] for m in exported] == [
        "Signé Jeanne Dufourcq, gérante",
        "Merci Jeanne Dufourcq, bien reçu.",
    ]
    assert [m["written_by_you"] for m in exported] == [True, False]
    assert exported[0]["attachment"] == "scan.pdf"

    stored = DossierMessage.objects.get(author=owner).attachment.path
    person_anonymise(email=owner.email, reason="Demande de l'intéressée.")
    texts = list(DossierMessage.objects.order_by("pk").values_list("text", flat=True))
    assert all("Dufourcq" not in t for t in texts)
    assert "Personne anonymisée" in texts[0]
    own = DossierMessage.objects.get(author=owner)
    assert (own.attachment.name, own.attachment_name) == ("", "")
    assert not os.path.exists(stored)
    assert DossierMessage.objects.count() == 2  # the thread's rows stay (pseudonymous)


def test_the_relay_list_points_to_the_dossiers_with_unread_messages(client, dossier):
    _post(client, dossier["owner"], dossier["enrolment"], text="Une question")
    _post(client, dossier["owner"], dossier["enrolment"], text="Une autre")
    client.force_login(dossier["staff"])
    html = client.get(reverse("enrolment:staff_list")).content.decode()
    detail = reverse("enrolment:staff_detail", args=[dossier["enrolment"].pk])
    assert f'href="{detail}#messages">2 messages non lus</a>' in html
    assert html.count("messages non lus</a>") + html.count("message non lu</a>") == 1
    client.get(detail)
    assert "non lus</a>" not in client.get(reverse("enrolment:staff_list")).content.decode()


def test_the_relay_list_counts_the_navigation_badge_once(client, dossier):
    """The list's table is rendered with the request a second time (django-tables2): the
    unread-messages badge of the navigation is still counted by one query."""
    _post(client, dossier["owner"], dossier["enrolment"], text="Une question")
    client.force_login(dossier["staff"])
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("enrolment:staff_list")).content.decode()
    badge_counts = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and "enrolment_dossiermessage" in q["sql"]
    ]
    assert len(badge_counts) == 1
    assert "1 message non lu</a>" in html
