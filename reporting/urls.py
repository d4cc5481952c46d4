from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("registre-de-minimis/", views.deminimis_register, name="deminimis_register"),
]
