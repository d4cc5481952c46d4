"""The API, version 1: resources, the OpenAPI schema and its documentation."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("relays", views.RelayViewSet, basename="relay")
router.register("departements", views.DepartementViewSet, basename="departement")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("experts", views.ExpertViewSet, basename="expert")
router.register("missions", views.MissionViewSet, basename="mission")
router.register("diagnoses", views.DiagnosisViewSet, basename="diagnosis")
router.register("action-plans", views.ActionPlanViewSet, basename="action-plan")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("ledger-entries", views.LedgerEntryViewSet, basename="ledger-entry")
router.register("balances", views.BalanceViewSet, basename="balance")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
