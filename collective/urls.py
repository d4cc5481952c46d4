from django.urls import path

from . import views

app_name = "collective"

urlpatterns = [
    path("groupes/", views.group_list, name="group_list"),
    path("groupes/nouveau/", views.group_create, name="group_create"),
    path("groupes/<int:pk>/", views.group_detail, name="group_detail"),
    path("groupes/<int:pk>/reseau/", views.group_network, name="group_network"),
    path("reseau/consentement/<int:pk>/", views.network_consent, name="network_consent"),
    path(
        "reseau/consentement/<int:pk>/retirer/",
        views.network_consent_withdraw,
        name="network_consent_withdraw",
    ),
    path("groupes/<int:pk>/ajouter/", views.group_member_add, name="group_member_add"),
    path(
        "groupes/<int:pk>/membres/<int:membership_pk>/retirer/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("groupes/<int:pk>/seminaires/nouveau/", views.seminar_create, name="seminar_create"),
    path("seminaires/<int:pk>/", views.seminar_detail, name="seminar_detail"),
    path("seminaires/<int:pk>/modifier/", views.seminar_edit, name="seminar_edit"),
    path("seminaires/<int:pk>/invitation.ics", views.seminar_ics, name="seminar_ics"),
    path("suivis/", views.followup_list, name="followup_list"),
    path("suivis/<int:pk>/renvoyer/", views.followup_resend, name="followup_resend"),
    path(
        "satisfaction/<int:pk>/renvoyer/",
        views.satisfaction_resend,
        name="satisfaction_resend",
    ),
    path("suivi/<int:pk>/<str:token>/", views.followup_answer, name="followup_answer"),
    path(
        "satisfaction/<int:pk>/<str:token>/",
        views.satisfaction_answer,
        name="satisfaction_answer",
    ),
]
