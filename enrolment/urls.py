from django.urls import path

from . import views

app_name = "enrolment"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("entreprises/<int:pk>/", views.company_detail, name="company_detail"),
]
