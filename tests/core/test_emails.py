"""The portal's e-mails leave with the bytes Django would have written, headers and parts."""

import email
import re

import pytest
from django.core.mail import EmailMultiAlternatives

from core.emails import PortalEmail

SUBJECTS = [
    "Performance PME : votre autodiagnostic vous attend",
    "Échéance « solde » de l'aide régionale non versée depuis 30 jours",
    "Relance : " + "convention d'accompagnement à signer, " * 4,  # longer than a line
    "Deux  espaces,\ttabulation et =?utf-8?q?mot?= encodé",
]


def _email(cls, subject: str, *, html: bool, attachment: bool):
    message = cls(
        subject=subject,
        body="Bonjour Jérôme,\n\nL'inscription de Dupré & Fils est éligible.\n",
        from_email="Performance PME <noreply@performance-pme.fr>",
        to=[f"dirigeant{i}@exemple.fr" for i in range(6)],  # a To: header folded on lines
        reply_to=["relais@cci-exemple.fr"],
    )
    if html:
        message.attach_alternative("<p>Bonjour <strong>Jérôme</strong>,</p>", "text/html")
    if attachment:
        message.attach("seminaire.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def _serialised(message) -> bytes:
    """The bytes an SMTP backend sends, with what differs on every run replaced."""
    raw = message.message().as_bytes(linesep="\r\n")
    boundaries = re.findall(rb'boundary="([^"]+)"', raw)
    for n, boundary in enumerate(boundaries):
        raw = raw.replace(boundary, b"BOUNDARY%d" % n)
    return re.sub(rb"(Date|Message-ID): [^\r]*\r\n", rb"\1: -\r\n", raw)


SUBJECT = re.compile(rb"Subject: .*?\r\n(?! )", re.DOTALL)  # with its folded lines


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize(("html", "attachment"), [(False, False), (True, False), (True, True)])
def test_a_portal_email_is_what_django_writes(subject, html, attachment):
    """Byte for byte, but for an accented subject's encoding: the same text once decoded."""
    ours = _serialised(_email(PortalEmail, subject, html=html, attachment=attachment))
    django = _serialised(_email(EmailMultiAlternatives, subject, html=html, attachment=attachment))
    if subject.isascii():
        assert ours == django
        return
    assert SUBJECT.sub(b"", ours) == SUBJECT.sub(b"", django)
    [header] = SUBJECT.findall(ours)
    assert all(len(line) <= 78 for line in header.split(b"\r\n"))
    parsed = email.message_from_bytes(ours, policy=email.policy.default)
    assert str(parsed["Subject"]) == subject


def test_the_parts_read_back_and_each_multipart_has_its_own_boundary():
    raw = _email(PortalEmail, SUBJECTS[1], html=True, attachment=True).message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == SUBJECTS[1]
    assert parsed.get_body(("plain",)).get_content().startswith("Bonjour Jérôme,")
    assert "<strong>Jérôme</strong>" in parsed.get_body(("html",)).get_content()
    assert [a.get_filename() for a in parsed.iter_attachments()] == ["seminaire.ics"]
    boundaries = [p.get_boundary() for p in parsed.walk() if p.is_multipart()]
    assert len(boundaries) == 2
    assert len(set(boundaries)) == 2
