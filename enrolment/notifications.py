"""The e-mail confirming that the owner's request was sent: the same facts as the
confirmation page (reference, what happens next and when, whom to contact)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.emails import PortalEmail
from core.models import OutboxMessage

from .dossier import enrolment_reference, expected_answer_date, validation_working_days
from .models import Enrolment


def request_sent_email(*, enrolment: Enrolment) -> PortalEmail | None:
    owner = enrolment.company.owner
    if owner is None or not owner.email:
        return None
    context = {
        "enrolment": enrolment,
        "company": enrolment.company,
        "owner": owner,
        "relay": enrolment.company.relay,
        "reference": enrolment_reference(enrolment),
        "days": validation_working_days(),
        "answer_by": expected_answer_date(enrolment),
        "pilots": list(enrolment.pilots.order_by("position")),
        "dossier_url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("enrolment:status", args=[enrolment.pk]),
    }
    relay = enrolment.company.relay
    return PortalEmail(
        subject=render_to_string("enrolment/email/request_sent_subject.txt", context).strip(),
        body=render_to_string("enrolment/email/request_sent_body.txt", context),
        to=[owner.email],
        reply_to=[relay.email] if relay is not None and relay.email else None,
    )


def on_request_sent(message: OutboxMessage) -> None:
    """Outbox handler of `enrolment.offer_chosen` (run once per sending, after commit)."""
    enrolment = (
        Enrolment.objects.select_related("company__owner", "company__relay", "offer")
        .filter(pk=message.payload.get("enrolment_id"))
        .first()
    )
    if enrolment is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        email = request_sent_email(enrolment=enrolment)
    if email is not None:
        email.send()
