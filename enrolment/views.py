import io
import zipfile
from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from catalogue.offers import is_targeted, pilots_required
from catalogue.pricing import tariff_price, vat_rate_in_force
from core.exceptions import BusinessRuleError
from core.models import Relay
from core.reauth import recent_authentication_required
from core.roles import STAFF_READER_ROLES, STAFF_ROLES, Role, has_role
from core.scoping import get_visible_or_404
from core.services import timeline_for
from diagnostics.models import Theme
from diagnostics.selectors import diagnosis_profile
from diagnostics.services import diagnosis_start
from funding.models import Offer
from funding.selectors import open_offers_with_tariffs, tariff_in_force

from . import agreements as agreement_services
from . import followups as followup_services
from . import groups as group_services
from . import services
from .agreement_forms import AgreementBatchForm, SignedCopyForm
from .company_register import company_register_lookup
from .exports import write_csv
from .filters import EnrolmentFilter
from .forms import (
    BulkForm,
    CompanyForm,
    NoteForm,
    OfferForm,
    OverrideForm,
    PilotForm,
    ReattachForm,
    SendBackForm,
    SignUpForm,
    SiretForm,
    VersionedForm,
)
from .groups_forms import (
    FollowUpAnswerForm,
    GroupForm,
    MemberAddForm,
    MemberRemoveForm,
    SeminarAttendanceForm,
    SeminarForm,
)
from .models import (
    Agreement,
    AgreementBatch,
    AgreementSignature,
    Company,
    Enrolment,
    EnrolmentState,
    ExportJob,
    FollowUp,
    GroupMembership,
    Seminar,
    TerritorialGroup,
)
from .selectors import (
    enrolment_audit_history,
    enrolment_for_owner,
    enrolment_for_staff_detail,
    enrolments_for_staff,
    latest_diagnoses,
)
from .tables import EnrolmentTable


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


# --- The owner's journey and the relay staff pages (issue 3) ----------------------------


S = EnrolmentState
EXPORT_SYNC_MAX = 500


def _owner_only(user) -> None:
    if not (user.role == Role.OWNER or user.is_superuser):
        raise PermissionDenied


def _staff_only(user) -> None:
    if not has_role(user, STAFF_READER_ROLES):
        raise PermissionDenied


def _may_act(user) -> None:
    """The Region watches: it may read every staff page and change nothing (403)."""
    if not has_role(user, STAFF_ROLES):
        raise PermissionDenied


def owner_next_url(enrolment: Enrolment) -> str:
    """Where the owner resumes the journey."""
    if enrolment.state == S.DRAFT:
        company = enrolment.company
        if all(getattr(company, f) not in (None, "") for f in services.REQUIRED_COMPANY_FIELDS):
            return reverse("enrolment:review", args=[enrolment.pk])
        return reverse("enrolment:company", args=[enrolment.pk])
    if enrolment.state == S.ELIGIBLE:
        return reverse("enrolment:diagnosis", args=[enrolment.pk])
    if enrolment.state == S.DIAGNOSED:
        return reverse("enrolment:offer", args=[enrolment.pk])
    return reverse("enrolment:status", args=[enrolment.pk])


def enrol_start(request):
    """'Inscrire mon entreprise': create the owner account, then the SIRET, or resume."""
    if not request.user.is_authenticated:
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            user = services.owner_sign_up(
                email=d["email"],
                password=d["password1"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                phone=d["phone"],
            )
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Votre compte est créé. Identifiez maintenant votre entreprise.")
            )
            return redirect("enrolment:start")
        return render(request, "enrolment/signup.html", {"form": form})
    _owner_only(request.user)
    open_enrolments = list(
        Enrolment.objects.visible_to(request.user)
        .open()
        .select_related("company")
        .order_by("-created_at")
    )
    to_resume = [e for e in open_enrolments if e.state in {S.DRAFT, S.ELIGIBLE, S.DIAGNOSED}]
    if request.method == "GET" and len(to_resume) == 1 and "nouvelle" not in request.GET:
        return redirect(owner_next_url(to_resume[0]))
    form = SiretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        prefill = None
        if not Enrolment.objects.filter(company__siret=siret).exists():
            prefill = company_register_lookup(siret)
        try:
            enrolment = services.enrolment_start(owner=request.user, siret=siret, prefill=prefill)
        except BusinessRuleError as exc:
            form.add_error("siret", exc.message)
        else:
            if prefill:
                messages.info(
                    request,
                    _(
                        "Nous avons pré-rempli les informations connues du répertoire des entreprises : vérifiez-les."
                    ),
                )
            return redirect(owner_next_url(enrolment))
    return render(
        request, "enrolment/start.html", {"form": form, "open_enrolments": open_enrolments}
    )


@login_required
def enrol_company(request, pk: int):
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DRAFT:
        return redirect(owner_next_url(enrolment))
    company = enrolment.company
    form = CompanyForm(
        request.POST or None, instance=company, initial={"version": enrolment.version}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.company_update(
                enrolment=enrolment,
                by=request.user,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except BusinessRuleError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("enrolment:review", pk=enrolment.pk)
    elif request.method == "POST":
        company.refresh_from_db()
    return render(
        request,
        "enrolment/company_form.html",
        {"form": form, "enrolment": enrolment, "step": 1},
        status=400 if form.errors else 200,
    )


@login_required
def enrol_review(request, pk: int):
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DRAFT:
        return redirect(owner_next_url(enrolment))
    form = VersionedForm(request.POST or None, initial={"version": enrolment.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_submit(
                enrolment=enrolment, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except BusinessRuleError as exc:
            error = exc.message
        else:
            return redirect("enrolment:status", pk=enrolment.pk)
    return render(
        request,
        "enrolment/review.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "form": form,
            "error": error,
            "step": 2,
        },
    )


@login_required
def enrol_status(request, pk: int):
    """The owner's view of an enrolment: state, eligibility with reasons, next step, history."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    return render(
        request,
        "enrolment/status.html",
        {
            "enrolment": enrolment,
            "next_url": owner_next_url(enrolment),
            "diagnoses": diagnoses,
            "timeline": timeline_for(enrolment, include_internal=False),
            "may_retake": enrolment.state
            in {S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED},
        },
    )


@login_required
def enrol_diagnosis(request, pk: int):
    """Start (or resume) the company's self-diagnosis for this enrolment, or a later one."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state == S.ELIGIBLE:
        purpose = "enrolment"
    elif enrolment.state == S.CLOSED:
        # once a follow-up is due, a retake is a follow-up diagnosis, not the closing one
        due = enrolment.followups.filter(due_on__lte=timezone.localdate()).exists()
        purpose = "follow_up" if due else "closing"
    elif enrolment.state in {S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS}:
        purpose = "follow_up"
    else:
        messages.error(request, _("L'autodiagnostic n'est pas ouvert à cette étape."))
        return redirect("enrolment:status", pk=enrolment.pk)
    diagnosis = diagnosis_start(
        company=enrolment.company,
        by=request.user,
        enrolment=enrolment if purpose == "enrolment" else None,
        purpose=purpose,
    )
    return redirect("diagnostics:take", pk=diagnosis.pk)


def _offer_rows(offers) -> list[dict]:
    """Each open offer with its tariff in force and its price (VAT at today's rate)."""
    vat_rate = vat_rate_in_force()
    rows = []
    for offer in offers:
        tariff = tariff_in_force(offer=offer)
        if tariff is None:
            continue
        rows.append(
            {
                "offer": offer,
                "tariff": tariff,
                "price": tariff_price(tariff=tariff, vat_rate=vat_rate),
            }
        )
    return rows


@login_required
def enrol_offer(request, pk: int):
    """Pilots and offer: the tariff in force (HT, TVA, TTC, Region), the problem for ciblée."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DIAGNOSED:
        return redirect(owner_next_url(enrolment))
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    profile = diagnosis_profile(diagnosis=diagnoses[0]) if diagnoses else None
    theme_order = [w["code"] for w in profile.weakest] if profile else []
    initial = {"version": enrolment.version}
    if profile and profile.recommendation.get("offer"):
        initial["offer"] = Offer.objects.filter(code=profile.recommendation["offer"]).first()
        if profile.recommendation.get("focus_theme"):
            initial["problem_theme"] = Theme.objects.filter(
                code=profile.recommendation["focus_theme"]
            ).first()
    data = request.POST or None
    form = OfferForm(data, initial=initial, theme_order=theme_order)
    existing = list(enrolment.pilots.all())
    pilot_forms = [
        PilotForm(
            data,
            prefix=f"pilot{i}",
            initial=(
                {
                    f: getattr(existing[i - 1], f)
                    for f in ["first_name", "last_name", "job_title", "email", "phone"]
                }
                if len(existing) >= i
                else None
            ),
        )
        for i in (1, 2)
    ]
    if request.method == "POST":
        pilots_valid = [p.is_valid() for p in pilot_forms]
        valid = form.is_valid() and all(pilots_valid)
        if valid:
            offer = form.cleaned_data["offer"]
            tariff = tariff_in_force(offer=offer)
            needed = pilots_required(tariff)
            for i, pf in enumerate(pilot_forms, start=1):
                if i <= needed:
                    if pf.is_blank():
                        pf.require(
                            _("Nommez le pilote interne.")
                            if i == 1
                            else _("L'offre approfondie demande un second pilote (binôme).")
                        )
                    else:
                        pf.require(_("Ce champ est obligatoire."))
            if is_targeted(offer) and not form.cleaned_data.get("problem_theme"):
                form.add_error("problem_theme", _("Choisissez le problème à traiter."))
            valid = not form.errors and not any(pf.errors for pf in pilot_forms)
            if valid:
                pilots = [dict(pf.cleaned_data) for pf in pilot_forms[:needed]]
                try:
                    services.enrolment_choose_offer(
                        enrolment=enrolment,
                        by=request.user,
                        offer=offer,
                        pilots=pilots,
                        problem_theme=form.cleaned_data.get("problem_theme"),
                        expected_version=form.cleaned_data["version"],
                    )
                except BusinessRuleError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        _(
                            "Votre inscription est transmise à votre structure relais, qui va la valider."
                        ),
                    )
                    return redirect("enrolment:status", pk=enrolment.pk)
    offers = list(Offer.objects.filter(is_open=True).order_by("position"))
    return render(
        request,
        "enrolment/offer.html",
        {
            "enrolment": enrolment,
            "form": form,
            "pilot_forms": pilot_forms,
            "offer_rows": _offer_rows(offers),
            "profile": profile,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Relay staff -------------------------------------------------------------------------


def _filtered(request):
    qs = enrolments_for_staff(user=request.user)
    return EnrolmentFilter(request.GET or None, queryset=qs, request=request)


@login_required
def staff_list(request):
    _staff_only(request.user)
    f = _filtered(request)
    table = EnrolmentTable(f.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    bulk = BulkForm()
    return render(
        request,
        "enrolment/staff_list.html",
        {
            "filter": f,
            "table": table,
            "bulk": bulk,
            "read_only": request.user.is_read_only,
            "export_url": reverse("enrolment:staff_export") + "?" + request.GET.urlencode(),
        },
    )


def _csv_response(queryset, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    write_csv(buffer, queryset)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _background_export(request, params: dict) -> HttpResponse:
    from .tasks import export_enrolments

    job = ExportJob.objects.create(requested_by=request.user, params=params)
    transaction.on_commit(lambda: export_enrolments.delay(job.pk))
    return redirect("enrolment:export_status", pk=job.pk)


@login_required
@recent_authentication_required
def staff_export(request):
    """CSV of the filtered list: at once when small, in the background when large."""
    _staff_only(request.user)
    f = _filtered(request)
    qs = f.qs.order_by("-created_at", "-pk")
    if qs.count() > getattr(settings, "ENROLMENT_EXPORT_SYNC_MAX", EXPORT_SYNC_MAX):
        return _background_export(request, {"filters": request.GET.dict()})
    return _csv_response(qs, "inscriptions.csv")


@login_required
def export_status(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
    return render(request, "enrolment/export_status.html", {"job": job})


@login_required
def export_progress(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "download_url": reverse("enrolment:export_download", args=[job.pk])
            if job.status == ExportJob.Status.DONE
            else None,
        }
    )


@login_required
@recent_authentication_required
def export_download(request, pk: int):
    """Served through this view: only who asked for the export may download it."""
    job = get_object_or_404(
        ExportJob, pk=pk, requested_by=request.user, status=ExportJob.Status.DONE
    )
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"inscriptions-{job.pk}.csv"
    )


@login_required
@require_POST
@recent_authentication_required(when=lambda request: request.POST.get("action") == "export")
def staff_bulk(request):
    _staff_only(request.user)
    qs = enrolments_for_staff(user=request.user)
    form = BulkForm(request.POST, queryset=qs)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("enrolment:staff_list")
    action = form.cleaned_data["action"]
    selection = list(form.cleaned_data["selection"])
    if action == "export":
        if len(selection) > getattr(settings, "ENROLMENT_EXPORT_SYNC_MAX", EXPORT_SYNC_MAX):
            return _background_export(request, {"ids": [e.pk for e in selection]})
        return _csv_response(qs.filter(pk__in=[e.pk for e in selection]), "selection.csv")
    _may_act(request.user)
    done, refused = 0, []
    for enrolment in selection:
        try:
            if action == "validate":
                services.enrolment_validate(enrolment=enrolment, by=request.user)
            else:
                services.enrolment_reattach(
                    enrolment=enrolment, by=request.user, relay=form.cleaned_data["relay"]
                )
            done += 1
        except BusinessRuleError as exc:
            refused.append(f"{enrolment.company.name} : {exc.message}")
    if done:
        messages.success(request, _("%(n)s inscription(s) traitée(s).") % {"n": done})
    for text in refused:
        messages.error(request, text)
    return redirect("enrolment:staff_list")


@login_required
def staff_detail(request, pk: int):
    _staff_only(request.user)
    enrolment = enrolment_for_staff_detail(user=request.user, pk=pk)
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    profile = (
        diagnosis_profile(
            diagnosis=diagnoses[0], previous=diagnoses[1] if len(diagnoses) > 1 else None
        )
        if diagnoses
        else None
    )
    return render(
        request,
        "enrolment/staff_detail.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "profile": profile,
            "timeline": timeline_for(enrolment),
            "audit_history": enrolment_audit_history(enrolment=enrolment, user=request.user),
            "read_only": request.user.is_read_only,
            "version_form": VersionedForm(initial={"version": enrolment.version}),
            "send_back_form": SendBackForm(initial={"version": enrolment.version}),
            "note_form": NoteForm(),
            "reattach_form": ReattachForm(initial={"relay": enrolment.company.relay_id}),
            "override_form": OverrideForm(initial={"version": enrolment.version}),
            "relays": Relay.objects.all(),
        },
    )


@login_required
@require_POST
def staff_action(request, pk: int, action: str):
    _staff_only(request.user)
    enrolment = enrolment_for_staff_detail(user=request.user, pk=pk)
    _may_act(request.user)
    forms_by_action = {
        "validate": VersionedForm,
        "send_back": SendBackForm,
        "note": NoteForm,
        "reattach": ReattachForm,
        "override": OverrideForm,
    }
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Formulaire incomplet : %(e)s")
            % {"e": "; ".join(str(m) for errs in form.errors.values() for m in errs)},
        )
        return redirect("enrolment:staff_detail", pk=pk)
    d = form.cleaned_data
    try:
        if "version" in d:
            services._check_version(enrolment, d["version"])
        if action == "validate":
            services.enrolment_validate(
                enrolment=enrolment, by=request.user, expected_version=d["version"]
            )
            messages.success(request, _("Inscription validée."))
        elif action == "send_back":
            services.enrolment_send_back(enrolment=enrolment, by=request.user, comment=d["comment"])
            messages.success(request, _("Inscription renvoyée à l'entreprise."))
        elif action == "note":
            services.enrolment_add_note(enrolment=enrolment, by=request.user, text=d["text"])
            messages.success(request, _("Note interne ajoutée."))
        elif action == "reattach":
            services.enrolment_reattach(
                enrolment=enrolment, by=request.user, relay=d["relay"], reason=d["reason"]
            )
            messages.success(request, _("Entreprise rattachée à %(r)s.") % {"r": d["relay"]})
            if (
                not enrolment.company.__class__.objects.visible_to(request.user)
                .filter(pk=enrolment.company_id)
                .exists()
            ):
                return redirect("enrolment:staff_list")
        elif action == "override":
            services.enrolment_override_eligibility(
                enrolment=enrolment, by=request.user, justification=d["justification"]
            )
            messages.success(request, _("Dérogation enregistrée : l'inscription est éligible."))
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:staff_detail", pk=pk)


# --- Agreements, signature, closing report, batch generation ------------------------


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
        "can_upload": can_sign and has_role(user, STAFF_ROLES),
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


# --- Collective action: groups, seminars, follow-ups (issue 7) ------------------------------


def _require_viewer(user) -> None:
    if not has_role(user, STAFF_READER_ROLES):
        raise PermissionDenied


def _require_editor(user) -> None:
    if not group_services.can_edit_groups(user):
        raise PermissionDenied


def _form_error(form, exc: BusinessRuleError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def group_list(request):
    _require_viewer(request.user)
    return render(
        request,
        "enrolment/groups/group_list.html",
        {
            "groups": group_services.groups_for_user(user=request.user),
            "waiting": group_services.waiting_list(user=request.user),
            "can_edit": group_services.can_edit_groups(request.user),
        },
    )


@login_required
def group_create(request):
    _require_editor(request.user)
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        relay = form.cleaned_data.get("relay") or request.user.relay
        try:
            group = group_services.group_create(
                relay=relay,
                departement=form.cleaned_data["departement"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except BusinessRuleError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Le groupe « %(name)s » est créé.") % {"name": group.name})
            return redirect("enrolment:group_detail", pk=group.pk)
    return render(request, "enrolment/groups/group_form.html", {"form": form})


@login_required
def group_detail(request, pk: int):
    _require_viewer(request.user)
    group = get_visible_or_404(
        TerritorialGroup.objects.select_related("relay", "departement"), request.user, pk=pk
    )
    can_edit = group_services.can_edit_groups(request.user)
    data = group_services.group_detail_data(group=group)
    add_form = None
    if can_edit and data["room"]:
        joinable = list(group_services.joinable_enrolments(group=group))
        add_form = MemberAddForm(enrolments=joinable) if joinable else None
    return render(
        request,
        "enrolment/groups/group_detail.html",
        {
            "group": group,
            "can_edit": can_edit,
            "add_form": add_form,
            "remove_form": MemberRemoveForm(),
            **data,
        },
    )


@login_required
@require_POST
def group_member_add(request, pk: int):
    _require_editor(request.user)
    group = get_visible_or_404(TerritorialGroup.objects.all(), request.user, pk=pk)
    enrolment_id = request.POST.get("enrolment", "")
    if not enrolment_id.isdigit():
        messages.error(request, _("Choisissez l'entreprise à ajouter."))
        return redirect("enrolment:group_detail", pk=group.pk)
    enrolment = get_visible_or_404(
        Enrolment.objects.select_related("company"), request.user, pk=int(enrolment_id)
    )
    try:
        group_services.group_member_add(group=group, enrolment=enrolment, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("« %(company)s » a rejoint le groupe.") % {"company": enrolment.company.name},
        )
    return redirect("enrolment:group_detail", pk=group.pk)


@login_required
@require_POST
def group_member_remove(request, pk: int, membership_pk: int):
    _require_editor(request.user)
    membership = get_visible_or_404(
        GroupMembership.objects.select_related("enrolment__company"),
        request.user,
        pk=membership_pk,
        group_id=pk,
    )
    form = MemberRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif de la sortie du groupe."))
    else:
        try:
            group_services.group_member_remove(
                membership=membership, reason=form.cleaned_data["reason"], by=request.user
            )
        except BusinessRuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("« %(company)s » a quitté le groupe.")
                % {"company": membership.enrolment.company.name},
            )
    return redirect("enrolment:group_detail", pk=pk)


@login_required
def seminar_create(request, pk: int):
    _require_editor(request.user)
    group = get_visible_or_404(
        TerritorialGroup.objects.select_related("relay"), request.user, pk=pk
    )
    form = SeminarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seminar = group_services.seminar_create(
                group=group, by=request.user, **form.service_kwargs()
            )
        except BusinessRuleError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Séminaire programmé ; les invitations partent aux entreprises du groupe."),
            )
            return redirect("enrolment:seminar_detail", pk=seminar.pk)
    return render(request, "enrolment/groups/seminar_form.html", {"form": form, "group": group})


@login_required
def seminar_edit(request, pk: int):
    _require_editor(request.user)
    seminar = get_visible_or_404(Seminar.objects.select_related("group"), request.user, pk=pk)
    form = SeminarForm(request.POST or None, initial=SeminarForm.initial_for(seminar))
    if request.method == "POST" and form.is_valid():
        try:
            group_services.seminar_update(seminar=seminar, by=request.user, **form.service_kwargs())
        except BusinessRuleError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Séminaire modifié ; l'invitation est mise à jour."))
            return redirect("enrolment:seminar_detail", pk=seminar.pk)
    return render(
        request,
        "enrolment/groups/seminar_form.html",
        {"form": form, "group": seminar.group, "seminar": seminar},
    )


@login_required
def seminar_detail(request, pk: int):
    """The seminar and its attendance sheet (relay staff record who came)."""
    _require_viewer(request.user)
    seminar = get_visible_or_404(
        Seminar.objects.select_related("group__relay", "theme", "speaker__user"),
        request.user,
        pk=pk,
    )
    can_edit = group_services.can_edit_groups(request.user)
    memberships = list(group_services.seminar_expected_memberships(seminar=seminar))
    existing = {a.enrolment_id: a for a in seminar.attendances.all()}
    form = SeminarAttendanceForm(request.POST or None, memberships=memberships, existing=existing)
    if request.method == "POST":
        _require_editor(request.user)
        if form.is_valid():
            present, names = form.values()
            try:
                group_services.seminar_attendance_record(
                    seminar=seminar, present=present, attendees=names, by=request.user
                )
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Présences enregistrées."))
                return redirect("enrolment:seminar_detail", pk=seminar.pk)
    return render(
        request,
        "enrolment/groups/seminar_detail.html",
        {"seminar": seminar, "form": form, "can_edit": can_edit},
    )


@login_required
def seminar_ics(request, pk: int):
    seminar = get_visible_or_404(
        Seminar.objects.select_related("group__relay", "theme", "speaker__user"),
        request.user,
        pk=pk,
    )
    response = HttpResponse(
        group_services.seminar_ics(seminar=seminar, method="PUBLISH"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="seminaire-{seminar.pk}.ics"'
    return response


@login_required
def followup_list(request):
    _require_viewer(request.user)
    status = request.GET.get("etat") or None
    today = timezone.localdate()
    rows = list(followup_services.followups_for_user(user=request.user, status=status, today=today))
    for row in rows:
        row.status = followup_services.followup_status(row, today=today)
        row.status_label = _(followup_services.FollowUpStatus.LABELS[row.status])
    return render(
        request,
        "enrolment/followups/followup_list.html",
        {
            "followups": rows,
            "status": status,
            "counts": followup_services.followup_counts(user=request.user, today=today),
            "statuses": [
                (key, _(label)) for key, label in followup_services.FollowUpStatus.LABELS.items()
            ],
            "can_edit": group_services.can_edit_groups(request.user),
        },
    )


@login_required
@require_POST
def followup_resend(request, pk: int):
    _require_editor(request.user)
    followup = get_visible_or_404(
        FollowUp.objects.select_related("enrolment__company"), request.user, pk=pk
    )
    try:
        followup_services.followup_send(followup=followup, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Lien de suivi envoyé à %(company)s.") % {"company": followup.enrolment.company.name},
        )
    return redirect("enrolment:followup_list")


def followup_answer(request, pk: int, token: str):
    """The owner's follow-up form, opened from the signed e-mail link (no account needed)."""
    try:
        followup = followup_services.followup_from_link(pk=pk, token=token)
    except followup_services.FollowUpLinkError as exc:
        return render(
            request,
            "enrolment/followups/followup_refused.html",
            {"message": exc.message, "reason": exc.reason},
            status=403 if exc.reason != "not_due" else 409,
        )
    if followup.answered_at is not None:
        return render(request, "enrolment/followups/followup_thanks.html", {"followup": followup})
    form = FollowUpAnswerForm(
        request.POST or None,
        indicators=followup_services.followup_indicators(followup=followup),
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup_services.followup_answer(followup=followup, **form.answer_fields())
        except BusinessRuleError as exc:
            form.add_error(None, exc.message)
        else:
            followup.refresh_from_db()
            return render(
                request, "enrolment/followups/followup_thanks.html", {"followup": followup}
            )
    return render(
        request,
        "enrolment/followups/followup_form.html",
        {
            "followup": followup,
            "company": followup.enrolment.company,
            "form": form,
            **_retake_links(request, followup),
        },
    )


def _retake_links(request, followup) -> dict:
    """Retaking the self-diagnosis needs the owner's account (answers are kept per company):
    a signed-in owner goes straight to it; anyone else logs in first and lands on it. The
    results page then compares with the previous diagnosis."""
    from urllib.parse import urlencode

    from django.urls import reverse

    enrolment = followup.enrolment
    retake_url = reverse("enrolment:diagnosis", args=[enrolment.pk])
    is_owner = request.user.is_authenticated and request.user.pk == enrolment.company.owner_id
    return {
        "retake_url": retake_url,
        "retake_signed_in": is_owner,
        "retake_login_url": f"{reverse('login')}?{urlencode({'next': retake_url})}",
    }
