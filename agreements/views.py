"""Agreements: versions and signature of an enrolment's agreement, the closing report,
batch generation."""

import io
import zipfile
from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import BusinessRuleError
from core.reauth import recent_authentication_required
from core.roles import STAFF_ROLES, Role, has_role
from core.scoping import get_visible_or_404
from enrolment.dossier import owner_status_for
from enrolment.models import Enrolment

from . import services as agreement_services
from .closing_report import closing_report_render
from .forms import AgreementBatchForm, SignedCopyForm
from .models import Agreement, AgreementBatch, AgreementSignature


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _visible_enrolment(request, pk: int) -> Enrolment:
    return get_visible_or_404(
        Enrolment.objects.select_related("company__relay", "company__owner", "offer"),
        request.user,
        pk=pk,
    )


@login_required
def agreement_detail(request, pk: int):
    """The agreement of an enrolment: its versions, its signature, the actions allowed."""
    return _agreement_page(request, _visible_enrolment(request, pk))


def _agreement_page(request, enrolment: Enrolment, upload_form=None):
    versions = list(enrolment.agreements.order_by("-version"))
    current = versions[0] if versions else None
    signature = (
        AgreementSignature.objects.select_related("signed_by", "agreement")
        .filter(agreement__enrolment=enrolment)
        .first()
    )
    user = request.user
    can_sign = bool(
        current
        and current.status == Agreement.Status.ISSUED
        and enrolment.state == "consultant_assigned"
    )
    context = {
        "enrolment": enrolment,
        # the status the owner is told, the same as on their home and the dossier
        "status": owner_status_for(enrolment),
        "versions": versions,
        "current": current,
        "signature": signature,
        "can_accept": can_sign and user.role == Role.OWNER,
        "can_upload": can_sign and has_role(user, STAFF_ROLES),
        "upload_form": upload_form or SignedCopyForm(),
        "max_mb": settings.AGREEMENT_MAX_UPLOAD_BYTES // 1048576,
    }
    return render(request, "agreements/detail.html", context)


def _pdf_response(field_file, filename: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Document introuvable."))
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def agreement_download(request, pk: int, version: int):
    enrolment = _visible_enrolment(request, pk)
    agreement = enrolment.agreements.filter(version=version).first()
    if agreement is None:
        raise Http404
    ref = agreement_services.agreement_reference(enrolment)
    return _pdf_response(agreement.file, f"convention-{ref}-v{version}.pdf")


@login_required
def agreement_signed_copy(request, pk: int):
    enrolment = _visible_enrolment(request, pk)
    signature = (
        AgreementSignature.objects.filter(agreement__enrolment=enrolment)
        .exclude(scanned_copy="")
        .first()
    )
    if signature is None:
        raise Http404
    ref = agreement_services.agreement_reference(enrolment)
    return _pdf_response(signature.scanned_copy, f"convention-{ref}-signee.pdf")


@login_required
@require_POST
def agreement_accept(request, pk: int):
    enrolment = _visible_enrolment(request, pk)
    current = agreement_services.current_agreement(enrolment=enrolment)
    if current is None:
        raise Http404
    if str(current.version) != request.POST.get("version") or not request.POST.get("accept"):
        messages.error(
            request,
            _("Cochez la case d'acceptation de la version affichée pour signer la convention."),
        )
        return redirect("agreements:agreement_detail", pk=pk)
    try:
        agreement_services.agreement_accept(
            agreement=current, by=request.user, ip_address=_client_ip(request)
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Convention signée. Merci !"))
    return redirect("agreements:agreement_detail", pk=pk)


@login_required
@require_POST
def agreement_upload(request, pk: int):
    enrolment = _visible_enrolment(request, pk)
    if not has_role(request.user, STAFF_ROLES):
        raise PermissionDenied
    current = agreement_services.current_agreement(enrolment=enrolment)
    if current is None:
        raise Http404
    form = SignedCopyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            agreement_services.agreement_upload_signed(
                agreement=current,
                by=request.user,
                uploaded=form.cleaned_data["file"],
                ip_address=_client_ip(request),
            )
        except BusinessRuleError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        else:
            messages.success(request, _("Copie signée enregistrée : la convention est signée."))
            return redirect("agreements:agreement_detail", pk=pk)
    return _agreement_page(request, enrolment, upload_form=form)


@login_required
def closing_report_pdf(request, pk: int):
    """The closing report of an enrolment's mission, rendered on request (permission-checked)."""
    enrolment = _visible_enrolment(request, pk)
    if not hasattr(enrolment, "mission"):
        raise Http404(_("Aucune mission pour cette inscription."))
    pdf = closing_report_render(enrolment=enrolment)
    response = FileResponse(
        io.BytesIO(pdf),
        content_type="application/pdf",
        filename=f"rapport-de-cloture-{agreement_services.agreement_reference(enrolment)}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _require_agreement_staff(user) -> None:
    if not has_role(user, STAFF_ROLES):
        raise PermissionDenied


@login_required
def agreement_batch_new(request):
    """Relay staff pick enrolments and generate their agreements in one go."""
    _require_agreement_staff(request.user)
    candidates = agreement_services.agreement_batch_candidates(user=request.user)
    form = AgreementBatchForm(
        request.POST if request.method == "POST" else None, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = agreement_services.agreement_batch_start(
                user=request.user,
                enrolment_ids=[e.pk for e in form.cleaned_data["enrolments"]],
            )
        except BusinessRuleError as exc:
            form.add_error("enrolments", exc.message)
        else:
            return redirect("agreements:agreement_batch_detail", pk=batch.pk)
    return render(request, "agreements/batch_new.html", {"form": form})


def _visible_batch(request, pk: int) -> AgreementBatch:
    _require_agreement_staff(request.user)
    return get_visible_or_404(AgreementBatch.objects.all(), request.user, pk=pk)


@login_required
def agreement_batch_detail(request, pk: int):
    batch = _visible_batch(request, pk)
    progress = agreement_services.agreement_batch_progress(batch=batch)
    return render(request, "agreements/batch_detail.html", {"batch": batch, "progress": progress})


@login_required
def agreement_batch_progress(request, pk: int):
    batch = _visible_batch(request, pk)
    return JsonResponse(agreement_services.agreement_batch_progress(batch=batch))


@login_required
@recent_authentication_required
def agreement_batch_zip(request, pk: int):
    batch = _visible_batch(request, pk)
    items = batch.items.filter(agreement__isnull=False).select_related(
        "agreement", "enrolment__company"
    )
    spool = SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            a = item.agreement
            ref = agreement_services.agreement_reference(item.enrolment)
            with a.file.open("rb") as handle:
                archive.writestr(f"convention-{ref}-v{a.version}.pdf", handle.read())
    spool.seek(0)
    return FileResponse(
        spool, content_type="application/zip", filename=f"conventions-lot-{batch.pk}.zip"
    )
