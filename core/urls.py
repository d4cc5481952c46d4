from django.urls import path

from . import account_views, views

app_name = "core"

urlpatterns = [
    path("accueil/", views.home, name="home"),
    path("profil/", views.profile, name="profile"),
]

# Reminder preferences, outbox failures, development e-mail outbox.
urlpatterns += [
    path("profil/relances/", views.reminder_preferences, name="reminder_preferences"),
    path("exploitation/taches-en-echec/", views.outbox_failures, name="outbox_failures"),
    path(
        "exploitation/taches-en-echec/<int:pk>/relancer/",
        views.outbox_retry_view,
        name="outbox_retry",
    ),
    path("exploitation/courriels/", views.mailbox, name="mailbox"),
    path("exploitation/courriels/<str:name>/", views.mailbox_detail, name="mailbox_detail"),
]

# Personal data (RGPD) — each person's own export; director/admin export and anonymise.
urlpatterns += [
    path("profil/mes-donnees/", views.my_data, name="my_data"),
    path("profil/mes-donnees/export.json", views.my_data_export, name="my_data_export"),
    path("exploitation/donnees-personnelles/", views.rgpd, name="rgpd"),
    path("exploitation/donnees-personnelles/export.json", views.rgpd_export, name="rgpd_export"),
    path(
        "exploitation/donnees-personnelles/anonymiser/",
        views.rgpd_anonymise,
        name="rgpd_anonymise",
    ),
]

# Two-factor authentication, account security, password confirmation.

urlpatterns += [
    path("compte/verification/", account_views.otp_verify, name="otp_verify"),
    path("compte/double-authentification/", account_views.otp_setup, name="otp_setup"),
    path("compte/confirmer/", account_views.reauth, name="reauth"),
    path("profil/securite/", account_views.security, name="security"),
    path(
        "profil/securite/codes-de-secours/",
        account_views.backup_codes_regenerate,
        name="backup_codes",
    ),
    path("profil/securite/desactiver/", account_views.otp_disable, name="otp_disable"),
]
# The audit trail.
urlpatterns += [path("direction/journal/", views.audit_log, name="audit_log")]

# Footer pages, public.
urlpatterns += [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data_policy, name="personal_data_policy"),
]
