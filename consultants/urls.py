from django.urls import path  # noqa: F401

app_name = "consultants"

urlpatterns: list = []

# Pilot training (issue 7)
from . import views  # noqa: E402

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
