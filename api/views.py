"""The JSON API (viewsets) and the page where a user manages their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from consultants.models import Expert, Mission
from core.exceptions import BusinessRuleError
from core.models import Departement, Relay
from core.roles import Role
from enrolment.forms import company_identity_clean
from enrolment.models import SYSTEM, TRANSITIONS, Company, Enrolment
from enrolment.services import company_update_identity, enrolment_transition
from funding.models import Offer

from . import filters, serializers
from .forms import ApiTokenForm
from .models import ApiToken
from .permissions import PortalRolePermission
from .services import api_token_create, api_token_revoke

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
    permission_classes = [PortalRolePermission]
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
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


TRANSITION_ROLES = frozenset(role for roles in TRANSITIONS.values() for role in roles) - {SYSTEM}


class EnrolmentViewSet(ReadOnlyApiViewSet):
    """Inscriptions et leur état ; les changements d'état passent par `transition`."""

    queryset = Enrolment.objects.select_related("company", "offer").prefetch_related("pilots")
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter
    search_fields = ["company__name", "company__siret"]
    ordering_fields = ["created_at", "updated_at", "state_changed_at", "state", "company__name"]
    write_roles_by_action = {"transition": TRANSITION_ROLES}

    @extend_schema(
        request=serializers.TransitionSerializer,
        responses={
            200: serializers.EnrolmentSerializer,
            400: OpenApiResponse(description="Transition refusée (message en français)"),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Fait passer l'inscription à l'état `to`, selon la table des transitions."""
        enrolment = self.get_object()
        data = serializers.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment_transition(enrolment=enrolment, by=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_object()).data)


class ExpertViewSet(ReadOnlyApiViewSet):
    """Consultants et formateurs du vivier (vue du directeur de projet)."""

    queryset = Expert.objects.select_related("user").prefetch_related("specialties", "departements")
    serializer_class = serializers.ExpertSerializer
    filterset_class = filters.ExpertFilter
    search_fields = ["user__last_name", "user__first_name", "firm"]
    ordering_fields = ["user__last_name", "created_at", "accreditation"]


class MissionViewSet(ReadOnlyApiViewSet):
    """Missions de conseil (une par inscription une fois le consultant désigné)."""

    queryset = Mission.objects.select_related("enrolment__company")
    serializer_class = serializers.MissionSerializer
    filterset_class = filters.MissionFilter
    search_fields = ["enrolment__company__name", "enrolment__company__siret"]
    ordering_fields = ["created_at", "start_date", "planned_end_date"]


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
