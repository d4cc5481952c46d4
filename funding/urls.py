from django.urls import path

from . import views

app_name = "funding"

urlpatterns: list = [
    path("comptabilite/", views.ledger_index, name="ledger_index"),
    path("comptabilite/echeances-region/", views.instalments, name="instalments"),
    path("comptabilite/<slug:slug>/", views.ledger, name="ledger"),
    path("comptabilite/<slug:slug>/journal/", views.journal, name="journal"),
    path("comptabilite/<slug:slug>/paiement/", views.payment_create, name="payment_create"),
    path("comptabilite/<slug:slug>/cloture/", views.period_close, name="period_close"),
    path(
        "comptabilite/<slug:slug>/entreprises/<int:pk>/",
        views.company_statement,
        name="company_statement",
    ),
    path(
        "comptabilite/<slug:slug>/consultants/<int:pk>/",
        views.consultant_statement,
        name="consultant_statement",
    ),
]
