"""The words of the group's, seminars' and follow-ups' events in a history (core.timeline_text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.timeline_text import register_event_labels


def register() -> None:
    register_event_labels(
        {
            "followup.answered": _("Suivi après clôture : réponse reçue"),
            "followup.sent": _("Suivi après clôture : lien envoyé"),
            "satisfaction.sent": _("Questionnaire de satisfaction : lien envoyé"),
            "satisfaction.answered": _("Questionnaire de satisfaction : réponse reçue"),
            "satisfaction.resent": _("Questionnaire de satisfaction : lien renvoyé par le relais"),
            "network.consent_given": _("Réseau du groupe : consentement donné"),
            "network.consent_changed": _("Réseau du groupe : informations montrées modifiées"),
            "network.consent_withdrawn": _("Réseau du groupe : consentement retiré"),
            "group.created": _("Groupe territorial créé"),
            "group.joined": _("Entrée dans le groupe territorial"),
            "group.left": _("Sortie du groupe territorial"),
            "seminar.scheduled": _("Séminaire programmé"),
            "seminar.updated": _("Séminaire modifié"),
            "seminar.attendance": _("Présences au séminaire enregistrées"),
        }
    )
