"""The words of the enrolment's history: each state reached and the enrolment's own events
(core.timeline_text); agreements, collective action and missions register theirs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.timeline_text import register_event_label, register_state_labels

from .models import EnrolmentState as S


def register() -> None:
    register_state_labels(
        {
            S.DRAFT: _("Inscription commencée"),
            S.SUBMITTED: _("Identité de l'entreprise enregistrée"),
            S.ELIGIBLE: _("Éligibilité vérifiée : l'entreprise est éligible"),
            S.INELIGIBLE: _("Éligibilité vérifiée : la demande n'est pas éligible"),
            S.DIAGNOSED: _("Autodiagnostic terminé"),
            S.OFFER_CHOSEN: _("Demande envoyée à la structure relais (offre et pilotes choisis)"),
            S.VALIDATED: _("Inscription validée par la structure relais"),
            S.CONSULTANT_ASSIGNED: _("Consultant désigné"),
            S.AGREEMENT_SIGNED: _("Convention signée"),
            S.IN_PROGRESS: _("Mission commencée"),
            S.CLOSED: _("Mission clôturée"),
            S.WITHDRAWN: _("Abandon de la démarche"),
        }
    )
    # going back: the relay returns the request, a consultant declines
    register_state_labels(
        {S.DIAGNOSED: _("Demande renvoyée par la structure relais pour être revue")},
        from_state=S.OFFER_CHOSEN,
    )
    register_state_labels(
        {S.ELIGIBLE: _("Dérogation accordée : l'entreprise est déclarée éligible")},
        from_state=S.INELIGIBLE,
    )
    register_state_labels(
        {S.VALIDATED: _("Consultant à désigner de nouveau")},
        from_state=S.CONSULTANT_ASSIGNED,
    )
    register_event_label("reattached", _("Changement de structure relais"))
    register_event_label("deminimis_declared", _("Déclaration des aides de minimis enregistrée"))
