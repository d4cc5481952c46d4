from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accueil/", views.home, name="home"),
    path("profil/", views.profile, name="profile"),
]

# Issue 6: reminder preferences, outbox failures, development e-mail outbox.
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

# Issue 9: the audit trail.
urlpatterns += [path("direction/journal/", views.audit_log, name="audit_log")]
