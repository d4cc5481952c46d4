from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.scoping import get_visible_or_404
from funding.selectors import open_offers_with_tariffs

from .models import Company


def landing(request):
    """The public page that explains the programme and its offers (figures from the tariffs)."""
    return render(request, "enrolment/landing.html", {"offers": open_offers_with_tariffs()})


@login_required
def company_detail(request, pk: int):
    """A company and its enrolments, fetched through the user's scope (a foreign id is a 404)."""
    company = get_visible_or_404(
        Company.objects.select_related("relay", "departement", "owner"), request.user, pk=pk
    )
    enrolments = company.enrolments.select_related("offer").order_by("-created_at")
    return render(
        request, "enrolment/company_detail.html", {"company": company, "enrolments": enrolments}
    )


# --- Issue 6: agreements, signature, closing report, batch generation ------------------------
import io  # noqa: E402
import zipfile  # noqa: E402
from tempfile import SpooledTemporaryFile  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import FileResponse, Http404, JsonResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from core.exceptions import BusinessRuleError  # noqa: E402
from core.roles import Role  # noqa: E402

from . import agreements as agreement_services  # noqa: E402
from .agreement_forms import AgreementBatchForm, SignedCopyForm  # noqa: E402
from .models import Agreement, AgreementBatch, AgreementSignature, Enrolment  # noqa: E402

_AGREEMENT_STAFF = {Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN}


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
        "versions": versions,
        "current": current,
        "signature": signature,
        "can_accept": can_sign and user.role == Role.OWNER,
        "can_upload": can_sign and (user.role in _AGREEMENT_STAFF or user.is_superuser),
        "upload_form": upload_form or SignedCopyForm(),
        "max_mb": settings.AGREEMENT_MAX_UPLOAD_BYTES // 1048576,
    }
    return render(request, "enrolment/agreement_detail.html", context)


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
        return redirect("enrolment:agreement_detail", pk=pk)
    try:
        agreement_services.agreement_accept(
            agreement=current, by=request.user, ip_address=_client_ip(request)
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Convention signée. Merci !"))
    return redirect("enrolment:agreement_detail", pk=pk)


@login_required
@require_POST
def agreement_upload(request, pk: int):
    enrolment = _visible_enrolment(request, pk)
    if request.user.role not in _AGREEMENT_STAFF and not request.user.is_superuser:
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
            return redirect("enrolment:agreement_detail", pk=pk)
    return _agreement_page(request, enrolment, upload_form=form)


@login_required
def closing_report_pdf(request, pk: int):
    """The closing report of an enrolment's mission, rendered on request (permission-checked)."""
    from .documents import closing_report_render

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
    if user.role not in _AGREEMENT_STAFF and not user.is_superuser:
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
            return redirect("enrolment:agreement_batch_detail", pk=batch.pk)
    return render(request, "enrolment/agreement_batch_new.html", {"form": form})


def _visible_batch(request, pk: int) -> AgreementBatch:
    _require_agreement_staff(request.user)
    return get_visible_or_404(AgreementBatch.objects.all(), request.user, pk=pk)


@login_required
def agreement_batch_detail(request, pk: int):
    batch = _visible_batch(request, pk)
    progress = agreement_services.agreement_batch_progress(batch=batch)
    return render(
        request, "enrolment/agreement_batch_detail.html", {"batch": batch, "progress": progress}
    )


@login_required
def agreement_batch_progress(request, pk: int):
    batch = _visible_batch(request, pk)
    return JsonResponse(agreement_services.agreement_batch_progress(batch=batch))


@login_required
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
