from django.urls import path

from . import journey, staff_views, thread_views, views

app_name = "enrolment"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("entreprises/<int:pk>/", views.company_detail, name="company_detail"),
    # the owner's journey (enrolment/journey.py) and the company's dossier
    path("inscription/", journey.enrol_start, name="start"),
    path("inscription/<int:pk>/", journey.enrol_status, name="status"),
    path("inscription/<int:pk>/entreprise/", journey.enrol_company, name="company"),
    path("inscription/<int:pk>/autodiagnostic/", journey.enrol_diagnosis, name="diagnosis"),
    path("inscription/<int:pk>/offre/", journey.enrol_offer, name="offer"),
    path("inscription/<int:pk>/de-minimis/", journey.enrol_deminimis, name="deminimis"),
    path("inscription/<int:pk>/recapitulatif/", journey.enrol_review, name="review"),
    path("inscription/<int:pk>/confirmation/", journey.enrol_confirmation, name="confirmation"),
    # the thread between the relay and the company (enrolment/thread_views.py)
    path("inscription/<int:pk>/messages/", thread_views.dossier_messages, name="messages"),
    path(
        "inscription/<int:pk>/messages/<int:message_pk>/piece-jointe/",
        thread_views.message_attachment,
        name="message_attachment",
    ),
    path("inscriptions/", staff_views.staff_list, name="staff_list"),
    path("inscriptions/export.csv", staff_views.staff_export, name="staff_export"),
    path("inscriptions/selection/", staff_views.staff_bulk, name="staff_bulk"),
    path("inscriptions/exports/<int:pk>/", staff_views.export_status, name="export_status"),
    path(
        "inscriptions/exports/<int:pk>/etat.json",
        staff_views.export_progress,
        name="export_progress",
    ),
    path(
        "inscriptions/exports/<int:pk>/telecharger/",
        staff_views.export_download,
        name="export_download",
    ),
    path("inscriptions/<int:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("inscriptions/<int:pk>/de-minimis/", staff_views.staff_deminimis, name="staff_deminimis"),
    path("inscriptions/<int:pk>/rattachement/", staff_views.staff_reattach, name="staff_reattach"),
]

# Last: the relay staff actions on an enrolment (validate, send back…) catch any other slug.
urlpatterns.append(
    path("inscriptions/<int:pk>/<slug:action>/", staff_views.staff_action, name="staff_action")
)
