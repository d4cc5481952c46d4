"""The page where a user manages their personal API tokens (/profil/jetons/)."""

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoquer/", views.token_revoke, name="revoke"),
]
