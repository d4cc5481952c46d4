from django.urls import path

from . import views

app_name = "diagnostics"

urlpatterns: list = [
    path("<int:pk>/", views.take, name="take"),
    path("<int:pk>/themes/<int:number>/", views.theme, name="theme"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/profil.svg", views.chart, name="chart"),
]
