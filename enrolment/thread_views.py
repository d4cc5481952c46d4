"""The dossier's message thread: its page (read and write) and the attachments' download.

The owner's dossier and the relay's dossier page include the same thread (`thread_context`);
writing posts here. Rules live in `enrolment/thread.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.roles import Role
from core.scoping import get_visible_or_404

from . import thread
from .forms import MessageForm
from .models import Enrolment


def _error_list(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for the error summary (as the journey's pages do)."""
    return [(f.id_for_label, str(f.label), str(e)) for f in form for e in f.errors]


def _max_mb() -> int:
    return max(1, settings.MESSAGE_MAX_UPLOAD_BYTES // 1048576)


def _form(*args) -> MessageForm:
    """The message form; its ids are prefixed (the dossier page has other `text` fields)."""
    return MessageForm(*args, max_mb=_max_mb(), auto_id="message_%s")


def dossier_url(enrolment: Enrolment, user) -> str:
    """The page where `user` reads this dossier: the owner's, or the staff's."""
    name = "enrolment:status" if user.role == Role.OWNER else "enrolment:staff_detail"
    return reverse(name, args=[enrolment.pk])


def thread_context(*, enrolment: Enrolment, user, form: MessageForm | None = None) -> dict:
    """What `enrolment/_thread.html` reads; then the other side's messages count as read."""
    items = thread.thread_for(enrolment=enrolment, user=user)
    side = thread.side_of(user, enrolment)
    unread_side = thread.reader_side(user)
    context = {
        "messages": items,
        "unread": [m.pk for m in items if unread_side and m.side != unread_side and not m.read_at],
        "may_write": side is not None,
        "side": side,
        "form": form if form is not None else _form(),
        "post_url": reverse("enrolment:messages", args=[enrolment.pk]),
    }
    thread.thread_mark_read(enrolment=enrolment, user=user, shown=context["unread"])
    return context


def _enrolment(request, pk: int) -> Enrolment:
    if not thread.may_read_thread(request.user):
        raise PermissionDenied
    return get_visible_or_404(
        Enrolment.objects.select_related("company", "company__relay", "company__owner"),
        request.user,
        pk=pk,
    )


@login_required
def dossier_messages(request, pk: int):
    """The thread on its own page; a message is written here (the dossiers' forms post here)."""
    enrolment = _enrolment(request, pk)
    form = _form()
    if request.method == "POST":
        if thread.side_of(request.user, enrolment) is None:
            raise PermissionDenied
        form = _form(request.POST, request.FILES)
        if form.is_valid():
            try:
                thread.message_post(
                    enrolment=enrolment,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    attachment=form.cleaned_data.get("attachment"),
                )
            except BusinessRuleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Message envoyé."))
                return redirect(dossier_url(enrolment, request.user) + "#messages")
    return render(
        request,
        "enrolment/messages.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "back_url": dossier_url(enrolment, request.user),
            "thread": thread_context(enrolment=enrolment, user=request.user, form=form),
            "error_list": _error_list(form),
            "non_field_errors": form.non_field_errors(),
        },
    )


@login_required
def message_attachment(request, pk: int, message_pk: int):
    """A message's file, for those who see the thread; never shown inline by the browser."""
    message = thread.message_with_attachment(user=request.user, enrolment_pk=pk, pk=message_pk)
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError:
        raise Http404(_("Document introuvable."))
    response = FileResponse(
        handle,
        as_attachment=True,
        content_type=message.attachment_type or "application/octet-stream",
        filename=message.attachment_name or "piece-jointe",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
