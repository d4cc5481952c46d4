"""The relay staff's pages on enrolments: the list with filters and exports, the
selection, an enrolment's page and its actions (validate, send back, note...)."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import BusinessRuleError
from core.reauth import recent_authentication_required
from core.roles import STAFF_READER_ROLES, STAFF_ROLES, has_role
from core.services import timeline_for
from diagnostics.selectors import diagnosis_profile

from . import actions, deminimis, services
from .exports import export_request, write_csv
from .filters import EnrolmentFilter
from .forms import (
    BulkForm,
    DeclarationCorrectionForm,
    DeclaredAidFormSet,
    NoteForm,
    OverrideForm,
    ReattachForm,
    SendBackForm,
    VersionedForm,
    WithdrawForm,
    declared_aid_initial,
    declared_aid_rows,
)
from .models import Enrolment, EnrolmentState, ExportJob
from .selectors import (
    enrolment_audit_history,
    enrolment_for_staff_detail,
    enrolments_for_staff,
    latest_diagnoses,
)
from .staff_dossier import STATE_MEANING, dossier_tabs, merged_history, primary_action
from .tables import list_html, list_table
from .thread import with_unread_messages
from .thread_views import thread_context

S = EnrolmentState
EXPORT_SYNC_MAX = 500


def _staff_only(user) -> None:
    if not has_role(user, STAFF_READER_ROLES):
        raise PermissionDenied


def _may_act(user) -> None:
    """The Region watches: it may read every staff page and change nothing (403)."""
    if not has_role(user, STAFF_ROLES):
        raise PermissionDenied


def _filtered(request):
    qs = enrolments_for_staff(user=request.user)
    return EnrolmentFilter(request.GET or None, queryset=qs, request=request)


def _more_filters_in_use(f) -> int:
    """How many filters besides the search box narrow the list (shown on the panel's toggle)."""
    if not f.is_bound or not f.form.is_valid():
        return 0
    return sum(1 for name, value in f.form.cleaned_data.items() if name != "q" and value)


@login_required
def staff_list(request):
    _staff_only(request.user)
    f = _filtered(request)
    table = list_table(with_unread_messages(f.qs, user=request.user), request)
    bulk = BulkForm()
    return render(
        request,
        "enrolment/staff_list.html",
        {
            "filter": f,
            "table_html": list_html(table, request),
            # the paginator's own COUNT, already run to choose the page: no second query
            "result_count": table.paginator.count,
            "more_filters": _more_filters_in_use(f),
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
    job = export_request(user=request.user, params=params)
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
                actions.validate(enrolment=enrolment, by=request.user)
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
    """The relay's dossier page: header and primary action, sections, side panel, history."""
    _staff_only(request.user)
    enrolment = enrolment_for_staff_detail(user=request.user, pk=pk)
    request.user.reuse_relay(enrolment.company.relay)
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    profile = (
        diagnosis_profile(
            diagnosis=diagnoses[0], previous=diagnoses[1] if len(diagnoses) > 1 else None
        )
        if diagnoses
        else None
    )
    may = {
        name: actions.may(name, enrolment=enrolment, user=request.user)
        for name in ("validate", "send_back", "derogate", "withdraw")
    }
    check, _has_offer, declaration = deminimis.dossier_check(enrolment)
    return render(
        request,
        "enrolment/staff_detail.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "profile": profile,
            "meaning": STATE_MEANING.get(enrolment.state, ""),
            "primary": primary_action(enrolment, request.user),
            "tabs": dossier_tabs(enrolment=enrolment, user=request.user, diagnoses=diagnoses),
            "history": merged_history(
                events=timeline_for(enrolment),
                audit=enrolment_audit_history(enrolment=enrolment),
            ),
            "read_only": request.user.is_read_only,
            "version_form": VersionedForm(initial={"version": enrolment.version}),
            "send_back_form": SendBackForm(initial={"version": enrolment.version}),
            "note_form": NoteForm(),
            "override_form": OverrideForm(initial={"version": enrolment.version}),
            "withdraw_form": WithdrawForm(
                initial={"version": enrolment.version}, auto_id="withdraw_%s"
            ),
            "may": may,
            "thread": thread_context(enrolment=enrolment, user=request.user),
            "deminimis": check,
            "declaration": declaration,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_deminimis(request, pk: int):
    """The de minimis declaration's versions; relay staff correct it (a new version, a reason)."""
    _staff_only(request.user)
    enrolment = enrolment_for_staff_detail(user=request.user, pk=pk)
    history = deminimis.declaration_history(enrolment)
    may_correct = (
        has_role(request.user, STAFF_ROLES)
        and not request.user.is_read_only
        and enrolment.state in deminimis.STAFF_CORRECTS_IN
    )
    if request.method == "POST":
        _may_act(request.user)
    data = request.POST or None
    formset = DeclaredAidFormSet(
        data,
        prefix="aid",
        initial=declared_aid_initial(history[0] if history else None, company=enrolment.company),
    )
    reason_form = DeclarationCorrectionForm(data)
    error = None
    if request.method == "POST" and may_correct and formset.is_valid() and reason_form.is_valid():
        try:
            deminimis.declaration_save(
                enrolment=enrolment,
                by=request.user,
                aids=declared_aid_rows(formset),
                reason=reason_form.cleaned_data["reason"],
            )
        except BusinessRuleError as exc:
            error = exc.message
        else:
            messages.success(request, _("La déclaration corrigée est enregistrée."))
            return redirect("enrolment:staff_deminimis", pk=enrolment.pk)
    return render(
        request,
        "enrolment/staff_deminimis.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "history": history,
            "formset": formset if may_correct else None,
            "reason_form": reason_form,
            "error": error,
            "deminimis": deminimis.assessment(enrolment) or deminimis.headroom_before(enrolment),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_reattach(request, pk: int):
    """Attach the company to another relay: a rare action with a reason, on its own page (the
    dossier page does not list every relay)."""
    _staff_only(request.user)
    enrolment = enrolment_for_staff_detail(user=request.user, pk=pk)
    _may_act(request.user)
    form = ReattachForm(request.POST or None, initial={"relay": enrolment.company.relay_id})
    if form.is_valid() and form.cleaned_data["relay"].pk == enrolment.company.relay_id:
        form.add_error(
            "relay", _("L'entreprise est déjà rattachée à %(r)s.") % {"r": enrolment.company.relay}
        )
    if form.is_valid():
        relay = form.cleaned_data["relay"]
        try:
            services.enrolment_reattach(
                enrolment=enrolment,
                by=request.user,
                relay=relay,
                reason=form.cleaned_data["reason"],
            )
        except BusinessRuleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Entreprise rattachée à %(r)s.") % {"r": relay})
            if Enrolment.objects.visible_to(request.user).filter(pk=enrolment.pk).exists():
                return redirect("enrolment:staff_detail", pk=pk)
            return redirect("enrolment:staff_list")
    return render(
        request,
        "enrolment/staff_reattach.html",
        {"enrolment": enrolment, "company": enrolment.company, "form": form},
        status=400 if form.is_bound else 200,
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
        "override": OverrideForm,
        "withdraw": WithdrawForm,
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
    version = d.get("version")
    try:
        if action == "validate":
            actions.validate(enrolment=enrolment, by=request.user, expected_version=version)
            messages.success(request, _("Inscription validée."))
        elif action == "send_back":
            actions.send_back(
                enrolment=enrolment, by=request.user, comment=d["comment"], expected_version=version
            )
            messages.success(request, _("Inscription renvoyée à l'entreprise."))
        elif action == "withdraw":
            actions.withdraw(
                enrolment=enrolment, by=request.user, reason=d["reason"], expected_version=version
            )
            messages.success(request, _("Abandon enregistré."))
        elif action == "note":
            services.enrolment_add_note(enrolment=enrolment, by=request.user, text=d["text"])
            messages.success(request, _("Note interne ajoutée."))
        elif action == "override":
            actions.derogate(
                enrolment=enrolment,
                by=request.user,
                justification=d["justification"],
                expected_version=version,
            )
            messages.success(request, _("Dérogation enregistrée : l'inscription est éligible."))
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:staff_detail", pk=pk)
