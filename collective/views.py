"""Collective action: territorial groups, seminars and follow-ups after closing."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import BusinessRuleError
from core.roles import STAFF_READER_ROLES, Role, has_role
from core.scoping import get_visible_or_404
from core.signed_links import SignedLinkError
from core.submissions import (
    SubmissionReplayed,
    SubmissionResult,
    submission_once,
    submission_replay_response,
)
from enrolment.journey import error_list
from enrolment.models import Enrolment

from . import followups as followup_services
from . import groups as group_services
from . import network as network_services
from . import satisfaction as satisfaction_services
from .forms import (
    FollowUpAnswerForm,
    GroupForm,
    MemberAddForm,
    MemberRemoveForm,
    NetworkConsentForm,
    SatisfactionForm,
    SeminarAttendanceForm,
    SeminarForm,
)
from .models import (
    FollowUp,
    GroupMembership,
    SatisfactionSurvey,
    Seminar,
    TerritorialGroup,
)


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
        "collective/groups/group_list.html",
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
            return redirect("collective:group_detail", pk=group.pk)
    return render(request, "collective/groups/group_form.html", {"form": form})


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
        "collective/groups/group_detail.html",
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
        return redirect("collective:group_detail", pk=group.pk)
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
    return redirect("collective:group_detail", pk=group.pk)


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
    return redirect("collective:group_detail", pk=pk)


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
            return redirect("collective:seminar_detail", pk=seminar.pk)
    return render(request, "collective/groups/seminar_form.html", {"form": form, "group": group})


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
            return redirect("collective:seminar_detail", pk=seminar.pk)
    return render(
        request,
        "collective/groups/seminar_form.html",
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
            seminar_url = reverse("collective:seminar_detail", args=[seminar.pk])
            try:
                submission_once(
                    key=form.submission_key,
                    user=request.user,
                    action="collective.seminar_attendance",
                    perform=lambda: group_services.seminar_attendance_record(
                        seminar=seminar, present=present, attendees=names, by=request.user
                    ),
                    result=lambda rows: SubmissionResult(
                        url=seminar_url, message=_("Présences enregistrées.")
                    ),
                )
            except SubmissionReplayed as replayed:
                return submission_replay_response(request, replayed, fallback=seminar_url)
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Présences enregistrées."))
                return redirect(seminar_url)
    return render(
        request,
        "collective/groups/seminar_detail.html",
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
    surveys = list(satisfaction_services.surveys_unanswered(user=request.user))
    now = timezone.now()
    for survey in surveys:
        survey.link_state = satisfaction_services.survey_link_state(survey, now=now)
        survey.may_resend = satisfaction_services.may_resend(survey=survey, user=request.user)
    return render(
        request,
        "collective/followups/followup_list.html",
        {
            "surveys": surveys,
            "satisfaction_days": settings.SATISFACTION_LINK_MAX_AGE_DAYS,
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
    return redirect("collective:followup_list")


def followup_answer(request, pk: int, token: str):
    """The owner's follow-up form, opened from the signed e-mail link (no account needed)."""
    try:
        followup = followup_services.followup_from_link(pk=pk, token=token)
    except followup_services.FollowUpLinkError as exc:
        return render(
            request,
            "collective/followups/followup_refused.html",
            {"message": exc.message, "reason": exc.reason},
            status=403 if exc.reason != "not_due" else 409,
        )
    if followup.answered_at is not None:
        return render(request, "collective/followups/followup_thanks.html", {"followup": followup})
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
                request, "collective/followups/followup_thanks.html", {"followup": followup}
            )
    return render(
        request,
        "collective/followups/followup_form.html",
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
    enrolment = followup.enrolment
    retake_url = reverse("enrolment:diagnosis", args=[enrolment.pk])
    is_owner = request.user.is_authenticated and request.user.pk == enrolment.company.owner_id
    return {
        "retake_url": retake_url,
        "retake_signed_in": is_owner,
        "retake_login_url": f"{reverse('login')}?{urlencode({'next': retake_url})}",
    }


def satisfaction_answer(request, pk: int, token: str):
    """The owner's satisfaction questionnaire, from the signed e-mail link (works once)."""
    try:
        survey = satisfaction_services.survey_from_link(pk=pk, token=token)
    except SignedLinkError as exc:
        return render(
            request,
            "collective/satisfaction/refused.html",
            {"message": exc.message, "reason": exc.reason},
            status=409 if exc.reason == "used" else 403,
        )
    form = SatisfactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = satisfaction_services.survey_answer(survey=survey, **form.cleaned_data)
        except BusinessRuleError as exc:
            _form_error(form, exc)
        else:
            return render(request, "collective/satisfaction/thanks.html", {"survey": survey})
    return render(
        request,
        "collective/satisfaction/form.html",
        {
            "survey": survey,
            "company": survey.mission.enrolment.company,
            "consultant": survey.mission.consultant,
            "form": form,
        },
    )


@login_required
@require_POST
def satisfaction_resend(request, pk: int):
    """Relay staff (or the director) mail the owner a fresh link; a double click sends one."""
    _require_editor(request.user)
    survey = get_visible_or_404(
        SatisfactionSurvey.objects.select_related("mission__enrolment__company"),
        request.user,
        pk=pk,
    )
    company = survey.mission.enrolment.company.name
    try:
        sent = satisfaction_services.survey_resend(survey=survey, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        if sent:
            messages.success(
                request,
                _("Nouveau lien du questionnaire de satisfaction envoyé à %(company)s.")
                % {"company": company},
            )
        else:
            messages.info(
                request,
                _(
                    "Le lien vient d'être envoyé à %(company)s (il y a moins d'une minute) : "
                    "aucun second e-mail n'est parti."
                )
                % {"company": company},
            )
    return redirect(f"{reverse('collective:followup_list')}#satisfaction")


# --- the group's network ---------------------------------------------------------------------


def _require_owner(user) -> None:
    """Only an owner chooses what their company shows (not the staff on their behalf)."""
    if user.role != Role.OWNER:
        raise PermissionDenied


@login_required
def group_network(request, pk: int):
    """The group's page for its members (the cards of consenting members, the seminars) and
    for the staff who read the group (who consented, to what). Anyone else: 404."""
    group = get_visible_or_404(
        TerritorialGroup.objects.select_related("relay", "departement"), request.user, pk=pk
    )
    return render(
        request,
        "collective/network/group_network.html",
        {"group": group, **network_services.group_network_data(group=group, user=request.user)},
    )


@login_required
def network_consent(request, pk: int):
    """The owner chooses, changes or withdraws what the other members of the group see."""
    _require_owner(request.user)
    consent = network_services.consent_for_owner(user=request.user, pk=pk)
    company = consent.company
    form = NetworkConsentForm(
        request.POST if request.method == "POST" else None,
        initial=NetworkConsentForm.initial_for(consent, company=company),
    )
    if request.method == "POST" and form.is_valid():
        try:
            network_services.network_consent_give(
                consent=consent, by=request.user, **form.cleaned_data
            )
        except BusinessRuleError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Votre choix est enregistré : les membres du groupe voient désormais "
                    "les informations cochées."
                ),
            )
            return redirect("collective:group_network", pk=consent.group_id)
    return render(
        request,
        "collective/network/consent_form.html",
        {
            "consent": consent,
            "company": company,
            "group": consent.group,
            "form": form,
            "error_list": error_list(form),
            "may_withdraw": network_services.may("withdraw", consent=consent, user=request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def network_consent_withdraw(request, pk: int):
    _require_owner(request.user)
    consent = network_services.consent_for_owner(user=request.user, pk=pk)
    try:
        network_services.network_consent_withdraw(consent=consent, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Consentement retiré : les autres membres du groupe ne voient plus rien de "
                "votre entreprise, dès maintenant."
            ),
        )
    return redirect("collective:network_consent", pk=consent.pk)
