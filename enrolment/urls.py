from django.urls import path

from . import journey, views

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
    path("inscription/<int:pk>/recapitulatif/", journey.enrol_review, name="review"),
    path("inscription/<int:pk>/confirmation/", journey.enrol_confirmation, name="confirmation"),
    path("inscriptions/", views.staff_list, name="staff_list"),
    path("inscriptions/export.csv", views.staff_export, name="staff_export"),
    path("inscriptions/selection/", views.staff_bulk, name="staff_bulk"),
    path("inscriptions/exports/<int:pk>/", views.export_status, name="export_status"),
    path("inscriptions/exports/<int:pk>/etat.json", views.export_progress, name="export_progress"),
    path(
        "inscriptions/exports/<int:pk>/telecharger/",
        views.export_download,
        name="export_download",
    ),
    path("inscriptions/<int:pk>/", views.staff_detail, name="staff_detail"),
]

# Issue 6: agreements, signature, closing report, batch generation.
urlpatterns += [
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
        "inscriptions/<int:pk>/convention/deposer/",
        views.agreement_upload,
        name="agreement_upload",
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

# Collective action and follow-up (issue 7)
urlpatterns += [
    path("groupes/", views.group_list, name="group_list"),
    path("groupes/nouveau/", views.group_create, name="group_create"),
    path("groupes/<int:pk>/", views.group_detail, name="group_detail"),
    path("groupes/<int:pk>/ajouter/", views.group_member_add, name="group_member_add"),
    path(
        "groupes/<int:pk>/membres/<int:membership_pk>/retirer/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("groupes/<int:pk>/seminaires/nouveau/", views.seminar_create, name="seminar_create"),
    path("seminaires/<int:pk>/", views.seminar_detail, name="seminar_detail"),
    path("seminaires/<int:pk>/modifier/", views.seminar_edit, name="seminar_edit"),
    path("seminaires/<int:pk>/invitation.ics", views.seminar_ics, name="seminar_ics"),
    path("suivis/", views.followup_list, name="followup_list"),
    path("suivis/<int:pk>/renvoyer/", views.followup_resend, name="followup_resend"),
    path("suivi/<int:pk>/<str:token>/", views.followup_answer, name="followup_answer"),
]

# Last: the relay staff actions on an enrolment (validate, send back…) catch any other slug.
urlpatterns.append(
    path("inscriptions/<int:pk>/<slug:action>/", views.staff_action, name="staff_action")
)
