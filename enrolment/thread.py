"""Messages between the relay and the company on a dossier: writes, reads and the e-mail.

Who takes part: the company's owner (the company's side) and the staff who act for the relay
(the relay's staff, the programme director, administrators: the relay's side). The Region reads
the thread on the dossier page and writes nothing; consultants and trainers never see it. Every
read goes through `DossierMessage.objects.visible_to(user)`, so another relay's thread is a 404.

A message is announced to the other side by e-mail, with a link to the dossier and never its
content, once: the outbox event `enrolment.message_posted` (key `dossier-message:<pk>`) is
handled after commit, and the handler marks `notified_at` on the locked row before sending.
A request sent back by the relay (`actions.send_back`) posts its comment into the thread.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.emails import PortalEmail
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from core.outbox import outbox_publish
from core.roles import STAFF_ROLES, Role, has_role
from core.uploads import upload_read_attachment

from .models import DossierMessage, Enrolment

Side = DossierMessage.Side
MESSAGE_POSTED = "enrolment.message_posted"
MAX_TEXT_LENGTH = 5000
#: Who reads a thread: the company's owner and the staff pages' readers (the Region reads only).
THREAD_READER_ROLES = STAFF_ROLES | {Role.OWNER, Role.REGION}


# --- Who is on which side ---------------------------------------------------------------------


def side_of(user, enrolment: Enrolment) -> str | None:
    """The side `user` writes for on this dossier, or None when they may only read (or not)."""
    if user is None or not user.is_authenticated or getattr(user, "is_read_only", False):
        return None
    company = enrolment.company
    if user.role == Role.OWNER and not user.is_superuser:
        return Side.COMPANY if company.owner_id == user.pk else None
    if user.role == Role.RELAY_STAFF and not user.is_superuser:
        return Side.RELAY if company.relay_id and company.relay_id == user.relay_id else None
    return Side.RELAY if has_role(user, STAFF_ROLES) else None


def reader_side(user) -> str | None:
    """The side whose unread messages `user` clears by opening a thread (owner, relay staff)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    return {Role.OWNER: Side.COMPANY, Role.RELAY_STAFF: Side.RELAY}.get(user.role)


def may_read_thread(user) -> bool:
    return has_role(user, THREAD_READER_ROLES)


# --- Writes -----------------------------------------------------------------------------------


def attachment_check(uploaded) -> tuple[bytes, str]:
    """The attachment's bytes and type, or `BusinessRuleError` in French (core.uploads rules)."""
    try:
        return upload_read_attachment(uploaded, max_bytes=settings.MESSAGE_MAX_UPLOAD_BYTES)
    except ValidationError as exc:
        raise BusinessRuleError(exc.messages[0], field="attachment")


def _clean_name(name: str, extension: str) -> str:
    stem = get_valid_filename(PurePath(name or "").stem)[:80] or "piece-jointe"
    return f"{stem}.{extension}"


def _create(
    *, enrolment: Enrolment, by, side: str, text: str, kind: str, attachment=None
) -> DossierMessage:
    message = DossierMessage(enrolment=enrolment, author=by, side=side, kind=kind, text=text)
    if attachment is not None:
        data, content_type = attachment_check(attachment)
        message.attachment_type = content_type
        extension = os.path.splitext(attachment.name or "")[1].lower().lstrip(".") or "pdf"
        message.attachment_name = _clean_name(attachment.name, extension)
        message.attachment.save(message.attachment_name, ContentFile(data), save=False)
    message.save()
    outbox_publish(
        kind=MESSAGE_POSTED,
        key=f"dossier-message:{message.pk}",
        payload={"message_id": message.pk, "enrolment_id": enrolment.pk, "side": side},
    )
    return message


def message_post(*, enrolment: Enrolment, by, text: str, attachment=None) -> DossierMessage:
    """`by` writes to the other side of the dossier (optional PDF or image attachment)."""
    side = side_of(by, enrolment)
    if side is None:
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise BusinessRuleError(_("Écrivez votre message."), field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise BusinessRuleError(
            _("Le message dépasse %(n)s caractères.") % {"n": MAX_TEXT_LENGTH}, field="text"
        )
    with transaction.atomic():
        return _create(
            enrolment=enrolment,
            by=by,
            side=side,
            text=text,
            kind=DossierMessage.Kind.MESSAGE,
            attachment=attachment,
        )


def message_post_send_back(*, enrolment: Enrolment, by, comment: str) -> DossierMessage:
    """The relay's comment when it sends the request back (called by `actions.send_back`)."""
    return _create(
        enrolment=enrolment,
        by=by,
        side=Side.RELAY,
        text=comment,
        kind=DossierMessage.Kind.SEND_BACK,
    )


def thread_mark_read(*, enrolment: Enrolment, user, shown: list[int] | None = None) -> int:
    """The owner or the relay's staff opened the thread: the other side's messages are read
    (only those `shown`, when given: one posted meanwhile stays unread, and none shown costs
    no write)."""
    side = reader_side(user)
    if side is None or side_of(user, enrolment) != side or shown == []:
        return 0
    unread = DossierMessage.objects.filter(enrolment=enrolment).unread_by(side)
    if shown is not None:
        unread = unread.filter(pk__in=shown)
    return unread.update(read_at=timezone.now())


# --- Reads ------------------------------------------------------------------------------------


def thread_for(*, enrolment: Enrolment, user) -> list[DossierMessage]:
    """The dossier's messages, oldest first, within the user's scope (empty for consultants)."""
    if not may_read_thread(user):
        return []
    return list(
        DossierMessage.objects.visible_to(user)
        .filter(enrolment=enrolment)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def unread_count(*, user) -> int | None:
    """Messages the user's side has not read yet, on every dossier they see (nav badge)."""
    side = reader_side(user)
    if side is None:
        return None
    return DossierMessage.objects.visible_to(user).unread_by(side).count()


def with_unread_messages(queryset, *, user):
    """Enrolments annotated `unread_messages` for the user's side (None when they have none)."""
    side = reader_side(user)
    if side is None:
        return queryset
    unread = (
        DossierMessage.objects.filter(enrolment=OuterRef("pk"))
        .unread_by(side)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return queryset.annotate(unread_messages=Subquery(unread))


def message_with_attachment(*, user, enrolment_pk: int, pk: int) -> DossierMessage:
    """A message that carries a file, fetched through the user's scope (404 otherwise)."""
    if not may_read_thread(user):
        raise PermissionDenied
    message = (
        DossierMessage.objects.visible_to(user)
        .filter(enrolment_id=enrolment_pk, pk=pk)
        .exclude(attachment="")
        .first()
    )
    if message is None:
        raise Http404(_("Pièce jointe introuvable."))
    return message


# --- The e-mail to the other side -------------------------------------------------------------


def _recipients(message: DossierMessage) -> list[str]:
    company = message.enrolment.company
    if message.side == Side.RELAY:
        owner = company.owner
        return [owner.email] if owner is not None and owner.email and owner.is_active else []
    if company.relay_id is None:
        return []
    staff = list(
        get_user_model()
        .objects.filter(role=Role.RELAY_STAFF, relay_id=company.relay_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if staff:
        return staff
    return [company.relay.email] if company.relay.email else []


def message_email(message: DossierMessage) -> PortalEmail | None:
    """Tells the other side a message is waiting, with a link (never the content)."""
    recipients = _recipients(message)
    if not recipients:
        return None
    enrolment = message.enrolment
    to_company = message.side == Side.RELAY
    url_name = "enrolment:status" if to_company else "enrolment:staff_detail"
    context = {
        "company": enrolment.company,
        "relay": enrolment.company.relay,
        "to_company": to_company,
        "has_attachment": bool(message.attachment),
        "dossier_url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse(url_name, args=[enrolment.pk])
        + "#messages",
    }
    return PortalEmail(
        subject=render_to_string("enrolment/email/message_subject.txt", context).strip(),
        body=render_to_string("enrolment/email/message_body.txt", context),
        to=recipients,
    )


def on_message_posted(event: OutboxMessage) -> None:
    """Outbox handler of `enrolment.message_posted`: one e-mail per message, ever."""
    with transaction.atomic():
        message = (
            DossierMessage.objects.select_for_update(of=("self",))
            .select_related("enrolment__company__owner", "enrolment__company__relay")
            .filter(pk=event.payload.get("message_id"), notified_at__isnull=True)
            .first()
        )
        if message is None:
            return
        message.notified_at = timezone.now()
        message.save(update_fields=["notified_at"])
        with translation.override(settings.LANGUAGE_CODE):
            email = message_email(message)
        if email is not None:
            email.send()
