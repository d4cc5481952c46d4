"""The JSON API (viewsets) and the page where a user manages their API tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agreements import services as agreement_services
from catalogue.models import Offer
from consultants.forms import HalfDayForm
from consultants.models import (
    Action,
    ActionPlan,
    Assignment,
    Expert,
    HalfDay,
    Indicator,
    Measurement,
    Mission,
)
from consultants.services import assignment_accept, half_day_log, mission_close
from core.exceptions import BusinessRuleError
from core.models import Departement, Relay
from core.roles import STAFF_READER_ROLES, Role, has_role
from core.submissions import FIELD as SUBMISSION_KEY
from core.submissions import SubmissionReplayed, SubmissionResult, submission_once
from diagnostics.models import Diagnosis, Theme
from enrolment import actions as workflow
from enrolment.forms import company_identity_clean
from enrolment.models import SYSTEM, Company, Enrolment
from enrolment.services import company_update_identity
from funding.forms import PeriodFilterForm
from funding.models import Account, JournalEntry, JournalLine
from reporting.selectors import dashboard as dashboard_figures

from . import filters, serializers
from .forms import ApiTokenForm
from .models import ApiToken
from .permissions import PortalRolePermission
from .services import api_token_create, api_token_revoke

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
#: a client's one-time key for a write (the same mechanism as the forms' hidden key)
IDEMPOTENCY_HEADER = "Idempotency-Key"

# --------------------------------------------------------------------------- base


class ApiViewSetMixin:
    """What every resource shares.

    - `get_queryset()` goes through `Model.objects.visible_to(request.user)`, the portal's
      one scoping mechanism (a foreign id is a 404); set `public = True` only for reference
      data every authenticated user may read (offers, départements).
    - GET/HEAD answers carry an ETag; `If-None-Match` with the same ETag gives 304.
    - Filtering (django-filter), `search` and `ordering` query parameters.
    """

    public = False
    #: any id in the path reaches the view (`/companies/0.5/`): an id that is not one is a JSON
    #: 404 from the viewset, not the portal's HTML page for an address no route matches
    lookup_value_regex = "[^/]+"
    permission_classes = [PortalRolePermission]
    filter_backends = [filters.ApiFilterBackend, filters.ApiSearchFilter, OrderingFilter]
    #: roles allowed to write (any non-safe method), or per action name
    write_roles: frozenset[str] = frozenset()
    write_roles_by_action: dict[str, frozenset[str]] = {}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.public:
            return qs
        if not hasattr(qs, "visible_to"):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {qs.model.__name__} has no ScopedQuerySet; "
                "add one or mark the viewset public."
            )
        return qs.visible_to(self.request.user)

    def idempotent(self, request, *, action: str, perform) -> Response:
        """Run a write once per `Idempotency-Key` header (core.submissions, as the forms do).

        `perform()` returns the Response; a request repeating the key gets the first
        answer again (same status and body) with `Idempotent-Replayed: true`.
        """
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
        try:
            response = submission_once(
                key=key,
                user=request.user,
                action=action,
                perform=perform,
                result=lambda response: SubmissionResult(
                    status=response.status_code, body=response.data
                ),
            )
        except SubmissionReplayed as replayed:
            first = replayed.submission
            if first.action != action:
                raise ValidationError(
                    {NON_FIELD: [_("Cette clé d'idempotence a déjà servi à une autre requête.")]}
                ) from None
            response = Response(first.response_body, status=first.response_status)
            response["Idempotent-Replayed"] = "true"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            return get_conditional_response(
                request._request, etag=response.headers["ETag"], response=response
            )
        return response


class ReadOnlyApiViewSet(ApiViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


# --------------------------------------------------------------------------- resources


class RelayViewSet(ReadOnlyApiViewSet):
    """Structures relais visibles par l'utilisateur du jeton."""

    queryset = Relay.objects.all()
    serializer_class = serializers.RelaySerializer
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug"]


class DepartementViewSet(ReadOnlyApiViewSet):
    """Départements du territoire (données de référence)."""

    public = True
    queryset = Departement.objects.select_related("default_relay")
    serializer_class = serializers.DepartementSerializer
    filterset_fields = ["in_programme"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]


class OfferViewSet(ReadOnlyApiViewSet):
    """Offres du programme et leurs tarifs datés (données de référence)."""

    public = True
    queryset = Offer.objects.prefetch_related("tariffs")
    serializer_class = serializers.OfferSerializer
    lookup_field = "code"
    filterset_fields = ["is_open"]
    ordering_fields = ["position", "name", "code"]


class CompanyViewSet(
    ApiViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Entreprises. Le chef d'entreprise peut corriger l'identité tant que l'inscription
    n'est pas validée par la structure relais (PATCH)."""

    http_method_names = ["get", "patch", "head", "options"]
    queryset = Company.objects.select_related("relay")
    serializer_class = serializers.CompanySerializer
    filterset_class = filters.CompanyFilter
    search_fields = ["name", "siret"]
    ordering_fields = ["name", "created_at", "updated_at", "siret"]
    write_roles = frozenset({Role.OWNER, Role.ADMIN})

    @extend_schema(
        request=serializers.CompanyIdentitySerializer,
        responses={
            200: serializers.CompanySerializer,
            400: OpenApiResponse(description="Règle métier ou saisie refusée"),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        company = self.get_object()
        try:
            changes = company_identity_clean(company=company, data=request.data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict)
        company_update_identity(company=company, by=request.user, **changes)
        return Response(self.get_serializer(self.get_object()).data)


# --- The enrolment's workflow actions: one endpoint each, never a free target state ----------


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _assign_consultant(request, enrolment, data) -> None:
    """The designated consultant's pending proposal is accepted (by them or the director)."""
    pending = (
        Assignment.objects.pending()
        .select_related("consultant")
        .filter(mission__enrolment=enrolment)
        .first()
    )
    if pending is None:
        workflow.assign_consultant(enrolment=enrolment, by=request.user)  # refuses: no consultant
    else:
        assignment_accept(assignment=pending, by=request.user)


def _accept_agreement(request, enrolment, data) -> None:
    current = agreement_services.current_agreement(enrolment=enrolment)
    if current is None:
        workflow.accept_agreement(enrolment=enrolment, by=request.user)  # refuses: no agreement
        return
    if data["version"] != current.version or not data["accept"]:
        raise BusinessRuleError(
            _("Cochez la case d'acceptation de la version affichée pour signer la convention.")
        )
    agreement_services.agreement_accept(
        agreement=current, by=request.user, ip_address=_client_ip(request)
    )


def _sign_agreement(request, enrolment, data) -> None:
    current = agreement_services.current_agreement(enrolment=enrolment)
    if current is None or data["file"] is None:
        workflow.sign_agreement(enrolment=enrolment, by=request.user)  # refuses: no signed copy
        return
    agreement_services.agreement_upload_signed(
        agreement=current, by=request.user, uploaded=data["file"], ip_address=_client_ip(request)
    )


def _close(request, enrolment, data) -> None:
    mission = Mission.objects.filter(enrolment=enrolment).first()
    if mission is None:
        workflow.close(enrolment=enrolment, by=request.user)  # refuses: no closing report
    else:
        mission_close(mission=mission, by=request.user)


#: name -> (input serializer, what the endpoint does with the enrolment and the valid input)
WORKFLOW_ENDPOINTS = {
    "submit": (
        serializers.VersionedActionSerializer,
        lambda r, e, d: workflow.submit(enrolment=e, by=r.user, expected_version=d["version"]),
    ),
    "evaluate_eligibility": (
        serializers.NoInputSerializer,
        lambda r, e, d: workflow.evaluate_eligibility(enrolment=e, by=r.user),
    ),
    "derogate": (
        serializers.DerogateSerializer,
        lambda r, e, d: workflow.derogate(
            enrolment=e, by=r.user, justification=d["justification"], expected_version=d["version"]
        ),
    ),
    "diagnose": (
        serializers.NoInputSerializer,
        lambda r, e, d: workflow.diagnose(enrolment=e, by=r.user),
    ),
    "choose_offer": (
        serializers.ChooseOfferSerializer,
        lambda r, e, d: workflow.choose_offer(
            enrolment=e,
            by=r.user,
            offer=d["offer"],
            pilots=[dict(p) for p in d["pilots"]],
            problem_theme=d["problem_theme"],
            expected_version=d["version"],
        ),
    ),
    "validate": (
        serializers.VersionedActionSerializer,
        lambda r, e, d: workflow.validate(enrolment=e, by=r.user, expected_version=d["version"]),
    ),
    "send_back": (
        serializers.SendBackSerializer,
        lambda r, e, d: workflow.send_back(
            enrolment=e, by=r.user, comment=d["comment"], expected_version=d["version"]
        ),
    ),
    "assign_consultant": (serializers.NoInputSerializer, _assign_consultant),
    "accept_agreement": (serializers.AcceptAgreementSerializer, _accept_agreement),
    "sign_agreement": (serializers.SignAgreementSerializer, _sign_agreement),
    "start": (
        serializers.NoInputSerializer,
        lambda r, e, d: workflow.start(enrolment=e, by=r.user),
    ),
    "close": (serializers.NoInputSerializer, _close),
    "withdraw": (
        serializers.WithdrawSerializer,
        lambda r, e, d: workflow.withdraw(
            enrolment=e, by=r.user, reason=d["reason"], expected_version=d["version"]
        ),
    ),
}
assert set(WORKFLOW_ENDPOINTS) == set(workflow.ACTIONS), "one endpoint per workflow action"


def _workflow_endpoint(name: str):
    """`POST /enrolments/{id}/actions/<name>/`: the action `name`, with its own input."""
    spec = workflow.ACTIONS[name]
    input_serializer, _run = WORKFLOW_ENDPOINTS[name]

    def endpoint(self, request, pk=None):
        return self.perform_workflow_action(request, name)

    endpoint.__name__ = f"action_{name}"
    endpoint.__doc__ = f"{spec.label} ({' / '.join(spec.sources)} → {' / '.join(spec.targets)})."
    endpoint = action(
        detail=True,
        methods=["post"],
        url_path=f"actions/{spec.api_name}",
        url_name=f"action-{spec.api_name}",
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )(endpoint)
    return extend_schema(
        operation_id=f"enrolments_actions_{name}",
        summary=str(spec.label),
        request=input_serializer,
        responses={
            200: serializers.EnrolmentSerializer,
            400: OpenApiResponse(description="Action refusée (message en français, par champ)"),
            403: OpenApiResponse(description="Rôle non autorisé"),
            404: OpenApiResponse(description="Inscription hors de votre périmètre"),
        },
    )(endpoint)


class EnrolmentViewSet(ReadOnlyApiViewSet):
    """Inscriptions et leur état. Chaque changement d'état est une action nommée :
    `POST /enrolments/{id}/actions/<action>/` (voir `allowed_actions`)."""

    queryset = Enrolment.objects.select_related("company", "offer", "tariff").prefetch_related(
        "pilots"
    )
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter

    def get_serializer_class(self):
        """The detail adds the de minimis check (a few queries each: not in the list)."""
        if self.action == "retrieve":
            return serializers.EnrolmentDetailSerializer
        return super().get_serializer_class()

    search_fields = ["company__name", "company__siret"]
    ordering_fields = ["created_at", "updated_at", "state_changed_at", "state", "company__name"]
    write_roles_by_action = {
        f"action_{name}": spec.roles - {SYSTEM} for name, spec in workflow.ACTIONS.items()
    }

    def perform_workflow_action(self, request, name: str):
        enrolment = self.get_object()
        input_serializer, run = WORKFLOW_ENDPOINTS[name]
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)

        def perform() -> Response:
            run(request, enrolment, data.validated_data)
            return Response(self.get_serializer(self.get_object()).data)

        return self.idempotent(
            request, action=f"api.enrolment.{name}.{enrolment.pk}", perform=perform
        )

    action_submit = _workflow_endpoint("submit")
    action_evaluate_eligibility = _workflow_endpoint("evaluate_eligibility")
    action_derogate = _workflow_endpoint("derogate")
    action_diagnose = _workflow_endpoint("diagnose")
    action_choose_offer = _workflow_endpoint("choose_offer")
    action_validate = _workflow_endpoint("validate")
    action_send_back = _workflow_endpoint("send_back")
    action_assign_consultant = _workflow_endpoint("assign_consultant")
    action_accept_agreement = _workflow_endpoint("accept_agreement")
    action_sign_agreement = _workflow_endpoint("sign_agreement")
    action_start = _workflow_endpoint("start")
    action_close = _workflow_endpoint("close")
    action_withdraw = _workflow_endpoint("withdraw")


class ExpertViewSet(ReadOnlyApiViewSet):
    """Consultants et formateurs du vivier (vue du directeur de projet)."""

    queryset = Expert.objects.select_related("user").prefetch_related("specialties", "departements")
    serializer_class = serializers.ExpertSerializer
    filterset_class = filters.ExpertFilter
    search_fields = ["user__last_name", "user__first_name", "firm"]
    ordering_fields = ["user__last_name", "created_at", "accreditation"]


class MissionViewSet(ReadOnlyApiViewSet):
    """Missions de conseil (une par inscription une fois le consultant désigné), avec leurs
    demi-journées ; le consultant de la mission en saisit une par `half-days`."""

    queryset = Mission.objects.select_related("enrolment__company").prefetch_related(
        Prefetch("half_days", queryset=HalfDay.objects.order_by("date", "pk"))
    )
    serializer_class = serializers.MissionSerializer
    filterset_class = filters.MissionFilter
    search_fields = ["enrolment__company__name", "enrolment__company__siret"]
    ordering_fields = ["created_at", "start_date", "planned_end_date"]
    write_roles_by_action = {"half_days": frozenset({Role.CONSULTANT})}

    @extend_schema(
        request=serializers.HalfDayInputSerializer,
        responses={
            201: serializers.HalfDaySerializer,
            400: OpenApiResponse(description="Saisie refusée (messages en français par champ)"),
        },
    )
    @action(detail=True, methods=["post"], url_path="half-days")
    def half_days(self, request, pk=None):
        """Saisit une demi-journée réalisée (le consultant de la mission), comme sur la page de
        la mission : même formulaire, même service (`half_day_log`) ; l'écriture d'honoraires
        est passée au journal du relais."""
        mission = self.get_object()
        data = request.data if hasattr(request.data, "get") else {}
        form = HalfDayForm(data)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        fields = {k: v for k, v in form.cleaned_data.items() if k != SUBMISSION_KEY}

        def perform() -> Response:
            half_day = half_day_log(mission=mission, by=request.user, **fields)
            return Response(serializers.HalfDaySerializer(half_day).data, status=201)

        return self.idempotent(
            request, action=f"api.mission.half_days.{mission.pk}", perform=perform
        )


class DiagnosisViewSet(ReadOnlyApiViewSet):
    """Résultats des autodiagnostics soumis : score par thème (en %), score global, trois
    thèmes les plus faibles, recommandation d'offre. Filtrer par `enrolment` ou `company`."""

    queryset = Diagnosis.objects.submitted().select_related("company", "questionnaire")
    serializer_class = serializers.DiagnosisSerializer
    filterset_class = filters.DiagnosisFilter
    search_fields = ["company__name", "company__siret"]
    ordering_fields = ["submitted_at", "updated_at", "overall_score"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["themes"] = {
            code: (position, name)
            for code, position, name in Theme.objects.values_list("code", "position", "name")
        }
        return context


class ActionPlanViewSet(ReadOnlyApiViewSet):
    """Plans d'action des missions, avec leurs actions et leurs indicateurs (et mesures)."""

    queryset = ActionPlan.objects.select_related("key_issue").prefetch_related(
        Prefetch("actions", queryset=Action.objects.select_related("owner")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("plan").prefetch_related(
                Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
            ),
        ),
    )
    serializer_class = serializers.ActionPlanSerializer
    filterset_class = filters.ActionPlanFilter
    search_fields = ["title"]
    ordering_fields = ["created_at", "title"]


class IndicatorViewSet(ReadOnlyApiViewSet):
    """Indicateurs des plans d'action et leurs mesures datées."""

    queryset = Indicator.objects.select_related("plan").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
    )
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name"]


class LedgerEntryViewSet(ReadOnlyApiViewSet):
    """Écritures du journal de la structure relais avec leurs lignes (lecture seule)."""

    queryset = JournalEntry.objects.select_related("relay").prefetch_related(
        Prefetch("lines", queryset=JournalLine.objects.select_related("account").order_by("pk"))
    )
    serializer_class = serializers.JournalEntrySerializer
    filterset_class = filters.JournalEntryFilter
    search_fields = ["label"]
    ordering_fields = ["date", "created_at", "id"]


class BalanceViewSet(ReadOnlyApiViewSet):
    """Soldes des comptes par structure relais (débit, crédit, solde ; lecture seule) —
    les mêmes chiffres que la page « Comptabilité » ; `relay=<slug>` pour un relais."""

    queryset = (
        Account.objects.select_related("relay")
        .annotate(
            total_debit=Coalesce(Sum("lines__debit"), Decimal("0")),
            total_credit=Coalesce(Sum("lines__credit"), Decimal("0")),
        )
        .annotate(balance=F("total_debit") - F("total_credit"))
        .order_by("relay__slug", "code")
    )
    serializer_class = serializers.BalanceSerializer
    filterset_class = filters.BalanceFilter
    ordering_fields = ["code", "balance"]


def _cell(value):
    """A dashboard table cell as JSON: text, number, decimal string, ISO date or null."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class DashboardView(ApiViewSetMixin, APIView):
    """Chiffres du tableau de bord de la Région (`funding.selectors.dashboard`), pour le
    périmètre de l'utilisateur : une structure relais ne voit que les siens."""

    filter_backends = []

    @extend_schema(
        parameters=[serializers.DashboardQuerySerializer],
        responses={
            200: serializers.DashboardSerializer,
            400: OpenApiResponse(description="Période invalide"),
            403: OpenApiResponse(description="Rôle sans accès au tableau de bord"),
        },
    )
    def get(self, request):
        user = request.user
        if not has_role(user, STAFF_READER_ROLES):
            raise PermissionDenied
        empty = [k for k in ("start", "end") if request.query_params.get(k, None) == ""]
        if empty:
            raise ValidationError(
                {k: [_("Date vide : donnez une date ou omettez-la.")] for k in empty}
            )
        period = PeriodFilterForm(request.query_params)
        if not period.is_valid():
            raise ValidationError(
                {(NON_FIELD if k == "__all__" else k): list(v) for k, v in period.errors.items()}
            )
        data = dashboard_figures(
            user=user, start=period.cleaned_data.get("start"), end=period.cleaned_data.get("end")
        )
        head = data["head"]
        body = {
            "head": {
                **{k: head[k] for k in ("goal", "total", "withdrawn", "signed")},
                "forecast": head["forecast"].reach_on,
                "percent": head["percent"],
                "progress": [
                    {"label": m.label, "due_on": m.due_on, "expected": m.enrolments, "done": n}
                    for m, n in head["progress"]
                ],
            },
            "totals": data["totals"],
            "pool": data["pool"],
            "running_missions": data["running_missions"],
            "halfdays": data["halfdays"],
            "committed_ht": data["committed_ht"],
            "envelope": data["envelope"],
            "region_committed": data["region_committed"],
            "tables": [
                {
                    "key": t.key,
                    "title": str(t.title),
                    "headers": [str(h) for h in t.headers],
                    "rows": [[_cell(c) for c in row] for row in t.rows],
                }
                for t in data["tables"]
            ],
        }
        return Response(serializers.DashboardSerializer(body).data)


# --------------------------------------------------------------------------- token pages


@login_required
def token_list(request):
    """The user's API tokens; a new token's secret is shown once, right after creation."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except BusinessRuleError as exc:
            form.add_error(exc.field, exc.message)
        else:
            request.session["api_new_token"] = {"id": token.pk, "raw": raw}
            messages.success(request, _("Le jeton « %(name)s » a été créé.") % {"name": token.name})
            return redirect("api_tokens:list")
    new_token = request.session.pop("api_new_token", None)
    tokens = ApiToken.objects.owned_by(request.user)
    return render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
    api_token_revoke(token=token)
    messages.success(request, _("Le jeton « %(name)s » a été révoqué.") % {"name": token.name})
    return redirect("api_tokens:list")
