"""The project's URLs plus the two floors of the load benchmark (bench only)."""

from django.urls import path

from performance_pme.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [
    path("bench/trivial/", views.trivial),
    path("bench/table/", views.table),
    *project_urlpatterns,
]
