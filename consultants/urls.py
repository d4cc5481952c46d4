from django.urls import path  # noqa: F401

from . import views

app_name = "consultants"

urlpatterns: list = [
    path("consultants/", views.pool_list, name="pool"),
    path("consultants/import/", views.pool_import, name="pool_import"),
    path("consultants/export.csv", views.pool_export, name="pool_export"),
    path("consultants/tableau-de-bord/", views.overview, name="overview"),
    path("consultants/file-attente/", views.queue, name="queue"),
    path("consultants/file-attente/<int:pk>/", views.queue_detail, name="queue_detail"),
    path("consultants/<int:pk>/", views.profile, name="profile"),
    path("missions/", views.missions, name="missions"),
    path(
        "missions/propositions/<int:pk>/<str:answer>/",
        views.proposal_answer,
        name="proposal_answer",
    ),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("missions/<int:pk>/<str:action>/", views.mission_detail, name="mission_action"),
    path(
        "missions/<int:pk>/<str:action>/<int:target>/",
        views.mission_detail,
        name="mission_action_on",
    ),
]

# Pilot training
urlpatterns += [
    path("formation/", views.training_home, name="training_home"),
    path(
        "formation/sessions/nouvelle/",
        views.training_session_create,
        name="training_session_create",
    ),
    path("formation/sessions/<int:pk>/", views.training_session_detail, name="training_session"),
    path("formation/stagiaires/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path(
        "formation/stagiaires/<int:pk>/attestation.pdf",
        views.trainee_certificate,
        name="trainee_certificate",
    ),
    path(
        "formation/inscriptions/<int:enrolment_pk>/",
        views.training_enrol,
        name="training_enrol",
    ),
]
