"""Pages of the pool, the assignment queue, the missions and the director's overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from catalogue.offers import KEY_ISSUES_MAX, KEY_ISSUES_MIN, key_issue_room
from core.exceptions import BusinessRuleError
from core.reauth import recent_authentication_required
from core.roles import (
    DIRECTION_ROLES,
    SEE_ALL_ROLES,
    STAFF_READER_ROLES,
    TRAINING_READER_ROLES,
    Role,
    has_role,
)
from core.scoping import get_visible_or_404
from core.spreadsheets import CSV_CONTENT_TYPE
from core.submissions import FIELD as SUBMISSION_KEY
from core.submissions import (
    SubmissionReplayed,
    SubmissionResult,
    submission_once,
    submission_replay_response,
)
from enrolment.models import Company, Enrolment, EnrolmentState

from . import selectors, services
from . import training as training_services
from .charts import indicator_chart_svg, indicator_progress
from .forms import (
    ActionForm,
    ActionPlanForm,
    ActionStatusForm,
    AmendmentForm,
    AssignForm,
    ConflictForm,
    DeclineForm,
    HalfDayForm,
    ImportForm,
    IndicatorForm,
    KeyIssueForm,
    MeasurementForm,
    PoolFilter,
    SummaryForm,
)
from .models import Action, ActionPlan, Assignment, Indicator, Mission, Trainee, TrainingSession
from .outcomes import outcomes_for
from .pool_csv import pool_export_csv, pool_import_csv
from .queue_table import assignment_needs, queue_rows
from .tables import pool_html, pool_table
from .training_forms import (
    AssessmentForm,
    EnrolPilotsForm,
    TrainingAttendanceForm,
    TrainingSessionForm,
)


def _require_role(user, roles) -> None:
    if not has_role(user, roles):
        raise PermissionDenied(_("Cette page n'est pas accessible à votre rôle."))


def _form_error(form, exc: BusinessRuleError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- the pool ---------------------------------------------------------------------------


@login_required
def pool_list(request):
    _require_role(request.user, STAFF_READER_ROLES)
    filterset = PoolFilter(request.GET or None, queryset=selectors.pool_for(user=request.user))
    experts = filterset.qs.order_by("user__last_name", "user__first_name", "pk")
    direction = has_role(request.user, DIRECTION_ROLES)  # sees each consultant's outcomes
    table = pool_table(experts, request, with_outcomes=direction)
    return render(
        request,
        "consultants/pool_list.html",
        {
            "filter": filterset,
            "table_html": pool_html(table, request),
            "can_manage": services.can_manage_pool(user=request.user),
        },
    )


@login_required
def profile(request, pk: int):
    expert, missions, conflicts = selectors.expert_profile(user=request.user, pk=pk)
    can_manage = services.can_manage_pool(user=request.user)
    form = ConflictForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            company = Company.objects.filter(siret=form.cleaned_data["siret"]).first()
            if company is None:
                form.add_error("siret", _("Aucune entreprise inscrite avec ce SIRET."))
            else:
                services.conflict_declare(
                    expert=expert,
                    company=company,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
                messages.success(request, _("Le conflit d'intérêts est enregistré."))
                return redirect("consultants:profile", pk=expert.pk)
    missions = list(missions)
    sees_outcomes = (
        has_role(request.user, DIRECTION_ROLES) and expert.kind == expert.Kind.CONSULTANT
    )
    return render(
        request,
        "consultants/profile.html",
        {
            "expert": expert,
            "outcomes": outcomes_for([expert.pk])[expert.pk] if sees_outcomes else None,
            "current": [m for m in missions if m.closed_at is None],
            "past": [m for m in missions if m.closed_at is not None],
            "conflicts": conflicts,
            "form": form,
            "can_manage": can_manage,
            "audit_history": selectors.expert_audit_history(expert=expert, user=request.user),
        },
    )


@login_required
@recent_authentication_required
def pool_import(request):
    if not services.can_manage_pool(user=request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = pool_import_csv(content=form.cleaned_data["file"], by=request.user)
    return render(request, "consultants/pool_import.html", {"form": form, "report": report})


@login_required
@recent_authentication_required
def pool_export(request):
    _require_role(request.user, SEE_ALL_ROLES)
    experts = selectors.pool_for(user=request.user).order_by("kind", "user__last_name", "pk")
    response = HttpResponse(pool_export_csv(experts=experts), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="vivier-experts.csv"'
    return response


# --- queue and assignment ---------------------------------------------------------------


#: The assignment queue shows this many enrolments a page (oldest first): at national
#: scale thousands may wait at once.
QUEUE_PAGE_SIZE = 50


@login_required
def queue(request):
    _require_role(request.user, STAFF_READER_ROLES)
    page = Paginator(selectors.assignment_queue(user=request.user), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    enrolments = list(page)
    selectors.with_assignment_needs(enrolments)  # a fixed number of queries
    now = timezone.now()
    for e in enrolments:
        e.waiting_since = e.validated_at or e.state_changed_at
        e.waiting_days = (now - e.waiting_since).days
        history = list(e.mission.assignments.all()) if hasattr(e, "mission") else []
        e.pending = next((a for a in history if a.status == Assignment.Status.PROPOSED), None)
        e.declines = sum(1 for a in history if a.status == Assignment.Status.DECLINED)
    return render(
        request,
        "consultants/queue.html",
        {"rows_html": queue_rows(enrolments), "page": page, "total": page.paginator.count},
    )


@login_required
def queue_detail(request, pk: int):
    _require_role(request.user, STAFF_READER_ROLES)
    enrolment = get_visible_or_404(
        Enrolment.objects.select_related(
            "company__departement", "company__relay", "offer", "problem_theme", "tariff"
        ),
        request.user,
        pk=pk,
    )
    can_assign = services.can_assign(user=request.user, enrolment=enrolment)
    open_for_assignment = enrolment.state == EnrolmentState.VALIDATED or (
        enrolment.state in services.REASSIGNABLE_STATES
    )
    form = AssignForm(request.POST or None)
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.consultant_assign(
                    enrolment=enrolment, consultant=form.cleaned_data["consultant"], by=request.user
                )
            except BusinessRuleError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s est proposé ; la mission attend son acceptation.")
                    % {"name": form.cleaned_data["consultant"]},
                )
                return redirect("consultants:queue")
    # the header names the same needs as the queue, and the ranking reads the same weak themes
    weak = selectors.with_assignment_needs([enrolment])[enrolment.pk]
    suggestions = (
        selectors.consultant_suggestions(
            enrolment=enrolment, weak_theme_codes=None if enrolment.targeted else weak
        )
        if open_for_assignment
        else []
    )
    if can_assign:  # whoever designates sees each consultant's outcomes, with the counts
        figures = outcomes_for([s.expert.pk for s in suggestions])
        for s in suggestions:
            s.outcomes = figures[s.expert.pk]
    history = list(
        Assignment.objects.filter(mission__enrolment=enrolment)
        .select_related("consultant__user", "proposed_by")
        .order_by("-proposed_at")
    )
    # while a proposal waits for its answer no one else may be designated (consultant_assign's
    # guard): it is shown first and the "Désigner" buttons are disabled with the reason
    pending = next((a for a in history if a.status == Assignment.Status.PROPOSED), None)
    return render(
        request,
        "consultants/queue_detail.html",
        {
            "enrolment": enrolment,
            "needs": assignment_needs(enrolment, labelled=True),
            "suggestions": suggestions,
            "history": history,
            "pending": pending,
            "pending_reason": services.PROPOSAL_PENDING,
            "form": form,
            "can_assign": can_assign and open_for_assignment,
            "replacing": enrolment.state in services.REASSIGNABLE_STATES,
        },
    )


@login_required
@require_POST
def proposal_answer(request, pk: int, answer: str):
    assignment = get_visible_or_404(
        Assignment.objects.select_related("consultant", "mission"), request.user, pk=pk
    )
    if assignment.consultant.user_id != request.user.pk or answer not in {"accept", "decline"}:
        raise PermissionDenied
    try:
        if answer == "accept":
            mission = services.assignment_accept(assignment=assignment, by=request.user)
            messages.success(request, _("Mission acceptée."))
            return redirect("consultants:mission", pk=mission.pk)
        form = DeclineForm(request.POST)
        if not form.is_valid():
            raise BusinessRuleError(_("Indiquez le motif du refus."))
        services.assignment_decline(
            assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.info(request, _("Proposition refusée ; l'inscription retourne en file d'attente."))
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect("consultants:missions")


# --- missions ---------------------------------------------------------------------------


@login_required
def missions(request):
    missions = selectors.missions_list(user=request.user)
    proposals = (
        selectors.pending_proposals_for(user=request.user)
        if request.user.role == Role.CONSULTANT
        else []
    )
    return render(
        request,
        "consultants/missions.html",
        {"missions": missions, "proposals": proposals, "decline_form": DeclineForm()},
    )


FORMS = {
    "halfday": HalfDayForm,
    "amendment": AmendmentForm,
    "keyissue": KeyIssueForm,
    "plan": ActionPlanForm,
    "action": ActionForm,
    "actionstatus": ActionStatusForm,
    "indicator": IndicatorForm,
    "measurement": MeasurementForm,
    "summary": SummaryForm,
}


def _build_form(name: str, mission: Mission, data=None, prefix_id=None):
    kwargs = {}
    if name == "plan":
        kwargs = {
            "key_issues": mission.key_issues.all(),
            "targeted": services.mission_is_targeted(mission),
        }
    if name == "action":
        kwargs = {"pilots": mission.enrolment.pilots.all()}
    prefix = f"{name}-{prefix_id}" if prefix_id else name
    initial = {"closing_summary": mission.closing_summary} if name == "summary" else None
    return FORMS[name](data, prefix=prefix, initial=initial, **kwargs)


def _act(name: str, mission: Mission, user, form, target_id):
    d = dict(form.cleaned_data) if form is not None else {}
    d.pop(SUBMISSION_KEY, None)
    if name == "halfday":
        return services.half_day_log(mission=mission, by=user, **d)
    if name == "amendment":
        return services.amendment_record(mission=mission, by=user, **d)
    if name == "keyissue":
        return services.key_issue_create(mission=mission, by=user, **d)
    if name == "plan":
        return services.action_plan_create(mission=mission, by=user, **d)
    if name == "summary":
        return services.mission_write_summary(
            mission=mission, by=user, summary=d["closing_summary"]
        )
    if name == "close":
        return services.mission_close(mission=mission, by=user)
    if name in {"action", "indicator"}:
        plan = ActionPlan.objects.select_related("mission__consultant").get(
            pk=target_id, mission=mission
        )
        if name == "action":
            return services.action_create(plan=plan, by=user, **d)
        return services.indicator_create(plan=plan, by=user, **d)
    if name == "actionstatus":
        action = Action.objects.select_related("plan__mission__consultant").get(
            pk=target_id, plan__mission=mission
        )
        return services.action_set_status(action=action, by=user, **d)
    if name == "measurement":
        indicator = Indicator.objects.select_related("plan__mission__consultant").get(
            pk=target_id, plan__mission=mission
        )
        return services.measurement_record(indicator=indicator, by=user, **d)
    raise PermissionDenied


#: The mission workspace's tabs: (slug in ?onglet=, label). The first is the default.
MISSION_TABS = (
    ("demi-journees", _lazy("Demi-journées")),
    ("plans", _lazy("Plans d'action")),
    ("indicateurs", _lazy("Indicateurs")),
    ("synthese", _lazy("Synthèse")),
)
#: The tab a form lives on: after its post the page comes back to it.
ACTION_TAB = {
    "halfday": "demi-journees",
    "amendment": "demi-journees",
    "keyissue": "plans",
    "plan": "plans",
    "action": "plans",
    "actionstatus": "plans",
    "indicator": "indicateurs",
    "measurement": "indicateurs",
    "summary": "synthese",
    "close": "synthese",
}


def _tab_of(request, action: str | None) -> str:
    slugs = [slug for slug, _label in MISSION_TABS]
    if action in ACTION_TAB:
        return ACTION_TAB[action]
    asked = request.GET.get("onglet")
    return asked if asked in slugs else slugs[0]


def _tab_url(mission: Mission, tab: str) -> str:
    url = reverse("consultants:mission", args=[mission.pk])
    return url if tab == MISSION_TABS[0][0] else f"{url}?onglet={tab}"


def _recorded(action: str, record) -> str:
    """What the page says once a mission form is recorded (again on a replay)."""
    if action == "halfday":
        return _("Demi-journée du %(d)s enregistrée.") % {"d": record.date.strftime("%d/%m/%Y")}
    if action == "amendment":
        return _("Avenant enregistré : %(n)s demi-journée(s) supplémentaire(s).") % {
            "n": record.extra_half_days
        }
    if action == "measurement":
        return _("Mesure du %(d)s enregistrée.") % {"d": record.date.strftime("%d/%m/%Y")}
    return _("Enregistré.")


@login_required
def mission_detail(request, pk: int, action: str | None = None, target: int | None = None):
    mission = selectors.mission_workspace(user=request.user, pk=pk)
    bound = {}
    if request.method == "POST":
        if action not in FORMS and action != "close":
            raise PermissionDenied
        relay_action = action in {"amendment", "close"}
        allowed = (
            services.is_mission_relay_staff(user=request.user, mission=mission)
            and not request.user.is_read_only
            if relay_action
            else services.is_mission_consultant(user=request.user, mission=mission)
        )
        if not allowed:
            raise PermissionDenied
        form = None
        if action in FORMS:
            form = _build_form(action, mission, request.POST, target)
        if form is None or form.is_valid():
            mission_url = _tab_url(mission, ACTION_TAB.get(action, MISSION_TABS[0][0]))
            try:
                record = submission_once(
                    key=getattr(form, "submission_key", None),
                    user=request.user,
                    action=f"consultants.mission.{action}",
                    perform=lambda: _act(action, mission, request.user, form, target),
                    result=lambda record: SubmissionResult(
                        url=mission_url, message=_recorded(action, record)
                    ),
                )
            except SubmissionReplayed as replayed:
                return submission_replay_response(request, replayed, fallback=mission_url)
            except BusinessRuleError as exc:
                if form is None:
                    messages.error(request, exc.message)
                else:
                    _form_error(form, exc)
            except (ActionPlan.DoesNotExist, Action.DoesNotExist, Indicator.DoesNotExist):
                raise PermissionDenied
            else:
                messages.success(request, _recorded(action, record))
                return redirect(mission_url)
        if form is not None:
            bound[(action, target)] = form
            messages.error(request, _("Le formulaire contient des erreurs : voir ci-dessous."))
    tab = _tab_of(request, action if request.method == "POST" else None)
    return _render_mission(request, mission, bound, tab)


def _render_mission(request, mission: Mission, bound: dict, tab: str):
    user = request.user
    is_consultant = services.is_mission_consultant(user=user, mission=mission)
    editable = is_consultant and mission.closed_at is None
    is_relay = services.is_mission_relay_staff(user=user, mission=mission) and not user.is_read_only

    def form(name, target=None):
        return bound.get((name, target)) or _build_form(name, mission, None, target)

    plans = list(mission.action_plans.all())
    for plan in plans:
        plan.indicator_list = list(plan.indicators.all())
        for ind in plan.indicator_list:
            ind.progress = indicator_progress(ind)
            ms = list(ind.measurements.all())
            ind.latest = ms[-1] if ms else None
            if tab == "indicateurs":
                ind.chart = indicator_chart_svg(ind)
                if editable:
                    ind.form = form("measurement", ind.pk)
        if editable and tab == "plans":
            plan.action_form = form("action", plan.pk)
            for a in plan.actions.all():
                a.form = bound.get(("actionstatus", a.pk)) or ActionStatusForm(
                    prefix=f"actionstatus-{a.pk}", initial={"status": a.status}
                )
        if editable and tab == "indicateurs":
            plan.indicator_form = form("indicator", plan.pk)
    key_issues = list(mission.key_issues.all())
    by_issue = {ki.pk: [p for p in plans if p.key_issue_id == ki.pk] for ki in key_issues}
    for ki in key_issues:
        ki.plan_list = by_issue[ki.pk]
    targeted = services.mission_is_targeted(mission)
    cap_reached = services.half_day_cap_reached(
        used=mission.half_days_used, allowed=mission.half_days_allowed
    )
    context = {
        "mission": mission,
        "enrolment": mission.enrolment,
        "tab": tab,
        "tabs": [
            {"slug": slug, "label": label, "url": _tab_url(mission, slug), "active": slug == tab}
            for slug, label in MISSION_TABS
        ],
        "tab_label": dict(MISSION_TABS)[tab],
        "targeted": targeted,
        "plans": plans,
        "indicator_count": sum(len(p.indicator_list) for p in plans),
        "key_issues": key_issues,
        "key_issues_missing": not targeted and len(key_issues) < KEY_ISSUES_MIN,
        "key_issues_range": (KEY_ISSUES_MIN, KEY_ISSUES_MAX),
        "loose_plans": [p for p in plans if p.key_issue_id is None],
        "editable": editable,
        "is_consultant": is_consultant,
        "is_relay": is_relay,
        "cap_reached": cap_reached,
        "half_days_open": services.half_days_may_be_logged(enrolment=mission.enrolment),
        "half_days_not_yet": services.half_days_not_yet_message(),
        "relay": mission.enrolment.company.relay,
        "can_close": is_relay and mission.closed_at is None and bool(mission.closing_summary),
        "can_replace": mission.closed_at is None
        and mission.consultant_id is not None
        and services.can_assign(user=user, enrolment=mission.enrolment),
        "remaining": max(mission.half_days_allowed - mission.half_days_used, 0),
        "assignments": mission.assignments.all(),
        "today": timezone.localdate(),
    }
    if tab == "synthese":
        # The company reads its mission; the audit trail is for the programme's people.
        context["audit_history"] = (
            None
            if user.role == Role.OWNER and not user.is_superuser
            else selectors.mission_audit_history(mission=mission, user=user)
        )
    if editable and tab == "demi-journees" and context["half_days_open"] and not cap_reached:
        context["halfday_form"] = form("halfday")
    if editable and tab == "plans":
        context["keyissue_form"] = (
            form("keyissue") if not targeted and key_issue_room(len(key_issues)) else None
        )
        context["plan_form"] = form("plan") if not (targeted and plans) else None
    if editable and tab == "synthese":
        context["summary_form"] = form("summary")
    if is_relay and mission.closed_at is None and tab == "demi-journees":
        context["amendment_form"] = form("amendment")
    return render(request, "consultants/mission_detail.html", context)


# --- director's overview ----------------------------------------------------------------


@login_required
def overview(request):
    _require_role(request.user, SEE_ALL_ROLES)
    return render(
        request, "consultants/overview.html", selectors.director_overview(user=request.user)
    )


# --- Pilot training -------------------------------------------------------------


def _require_viewer(user) -> None:
    if not has_role(user, TRAINING_READER_ROLES):
        raise PermissionDenied


@login_required
def training_home(request):
    """Sessions and trainees the user may see (a trainer: their own)."""
    _require_viewer(request.user)
    return render(
        request,
        "consultants/training/home.html",
        {
            "sessions": training_services.sessions_split(
                training_services.sessions_for_user(user=request.user)
            ),
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
    # attendance is recorded from the session's day on, never for an upcoming session
    may_record = training_services.can_record_training(request.user)
    can_record = may_record and not session.is_upcoming
    form = TrainingAttendanceForm(request.POST or None, attendances=attendances)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        try:
            training_services.attendance_open_check(session)
        except BusinessRuleError as exc:
            messages.error(request, exc.message)
            return redirect("consultants:training_session", pk=session.pk)
        if form.is_valid():
            session_url = reverse("consultants:training_session", args=[session.pk])
            try:
                submission_once(
                    key=form.submission_key,
                    user=request.user,
                    action="consultants.training_attendance",
                    perform=lambda: training_services.training_attendance_record(
                        session=session, present=form.values(), by=request.user
                    ),
                    result=lambda rows: SubmissionResult(
                        url=session_url, message=_("Présences enregistrées.")
                    ),
                )
            except SubmissionReplayed as replayed:
                return submission_replay_response(request, replayed, fallback=session_url)
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Présences enregistrées."))
                return redirect(session_url)
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
