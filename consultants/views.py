"""Pages of the consultants app: the pilots' training (issue 7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import BusinessRuleError
from core.roles import Role
from core.scoping import get_visible_or_404
from enrolment.models import Enrolment

from . import training as training_services
from .models import Trainee, TrainingSession
from .training_forms import (
    AssessmentForm,
    EnrolPilotsForm,
    TrainingAttendanceForm,
    TrainingSessionForm,
)

TRAINING_VIEWERS = frozenset(
    {Role.TRAINER, Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION, Role.ADMIN}
)


def _require_viewer(user) -> None:
    if not (user.is_superuser or user.role in TRAINING_VIEWERS):
        raise PermissionDenied


@login_required
def training_home(request):
    """Sessions and trainees the user may see (a trainer: their own)."""
    _require_viewer(request.user)
    return render(
        request,
        "consultants/training/home.html",
        {
            "sessions": training_services.sessions_for_user(user=request.user),
            "trainees": training_services.trainees_for_user(user=request.user),
            "can_organise": training_services.can_organise_training(request.user),
        },
    )


@login_required
def training_session_create(request):
    if not training_services.can_organise_training(request.user):
        raise PermissionDenied
    form = TrainingSessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = training_services.training_session_create(
                module=data["module"],
                trainer=data["trainer"],
                relay=data.get("relay") or request.user.relay,
                date=data["date"],
                place=data["place"],
                trainees=list(data["trainees"]),
                by=request.user,
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Session de formation programmée."))
            return redirect("consultants:training_session", pk=session.pk)
    return render(request, "consultants/training/session_form.html", {"form": form})


@login_required
def training_session_detail(request, pk: int):
    _require_viewer(request.user)
    session = get_visible_or_404(
        TrainingSession.objects.select_related("module", "trainer__user", "relay"),
        request.user,
        pk=pk,
    )
    attendances = list(
        session.attendances.select_related("trainee__pilot__enrolment__company").order_by(
            "trainee__pilot__last_name"
        )
    )
    can_record = training_services.can_record_training(request.user)
    form = TrainingAttendanceForm(request.POST or None, attendances=attendances)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                training_services.training_attendance_record(
                    session=session, present=form.values(), by=request.user
                )
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Présences enregistrées."))
                return redirect("consultants:training_session", pk=session.pk)
    return render(
        request,
        "consultants/training/session_detail.html",
        {"session": session, "form": form, "can_record": can_record},
    )


@login_required
def trainee_detail(request, pk: int):
    _require_viewer(request.user)
    trainee = get_visible_or_404(
        Trainee.objects.select_related("pilot__enrolment__company", "trainer__user"),
        request.user,
        pk=pk,
    )
    can_record = training_services.can_record_training(request.user)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                trainee = training_services.training_assess(
                    trainee=trainee,
                    passed=form.cleaned_data["result"] == "passed",
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Évaluation enregistrée."))
                return redirect("consultants:trainee_detail", pk=trainee.pk)
    return render(
        request,
        "consultants/training/trainee_detail.html",
        {
            "trainee": trainee,
            "form": form,
            "can_record": can_record,
            **training_services.trainee_detail_data(trainee=trainee),
        },
    )


@login_required
def trainee_certificate(request, pk: int):
    trainee = get_visible_or_404(
        Trainee.objects.select_related("pilot__enrolment__company"), request.user, pk=pk
    )
    try:
        pdf = training_services.training_certificate_pdf(trainee=trainee)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("consultants:trainee_detail", pk=trainee.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="attestation-formation-{trainee.certificate_number}.pdf"'
    )
    return response


@login_required
@require_POST
def training_enrol(request, enrolment_pk: int):
    """Enrol an approfondie company's pilots in the training (from the company page)."""
    if not training_services.can_organise_training(request.user):
        raise PermissionDenied
    enrolment = get_visible_or_404(
        Enrolment.objects.select_related("company"), request.user, pk=enrolment_pk
    )
    form = EnrolPilotsForm(request.POST)
    trainer = form.cleaned_data.get("trainer") if form.is_valid() else None
    try:
        training_services.training_enrol_pilots(
            enrolment=enrolment, trainer=trainer, by=request.user
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pilotes inscrits à la formation qualifiante."))
    return redirect("enrolment:company_detail", pk=enrolment.company_id)
