from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", include("core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("autodiagnostic/", include("diagnostics.urls")),
    path("", include("agreements.urls")),  # before enrolment's catch-all action pattern
    path("", include("enrolment.urls")),
    path("", include("consultants.urls")),
    path("", include("collective.urls")),
    path("", include("funding.urls")),
    path("", include("reporting.urls")),
    path("api/v1/", include("api.urls")),
    path("profil/jetons/", include("api.profile_urls")),
]

# No URL serves MEDIA_ROOT, not even with DEBUG: agreements, signed copies and exports are
# private documents, served only by their permission-checked views.
