from django.urls import path

from . import views

app_name = "agreements"

# Under the enrolment's paths (`inscriptions/<pk>/convention/`): included before enrolment's
# URLs, whose last pattern (`inscriptions/<pk>/<action>/`) would otherwise catch them.
urlpatterns = [
    path("inscriptions/<int:pk>/convention/", views.agreement_detail, name="agreement_detail"),
    path(
        "inscriptions/<int:pk>/convention/v<int:version>.pdf",
        views.agreement_download,
        name="agreement_download",
    ),
    path(
        "inscriptions/<int:pk>/convention/copie-signee.pdf",
        views.agreement_signed_copy,
        name="agreement_signed_copy",
    ),
    path(
        "inscriptions/<int:pk>/convention/accepter/",
        views.agreement_accept,
        name="agreement_accept",
    ),
    path(
        "inscriptions/<int:pk>/convention/deposer/", views.agreement_upload, name="agreement_upload"
    ),
    path(
        "inscriptions/<int:pk>/rapport-de-cloture.pdf",
        views.closing_report_pdf,
        name="closing_report_pdf",
    ),
    path("conventions/generation/", views.agreement_batch_new, name="agreement_batch_new"),
    path(
        "conventions/generation/<int:pk>/",
        views.agreement_batch_detail,
        name="agreement_batch_detail",
    ),
    path(
        "conventions/generation/<int:pk>/etat.json",
        views.agreement_batch_progress,
        name="agreement_batch_progress",
    ),
    path(
        "conventions/generation/<int:pk>/conventions.zip",
        views.agreement_batch_zip,
        name="agreement_batch_zip",
    ),
]
