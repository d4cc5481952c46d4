"""The mission's section and primary actions on the relay's dossier page (enrolment)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.roles import DIRECTION_ROLES, has_role
from enrolment.models import EnrolmentState
from enrolment.staff_dossier import (
    PrimaryAction,
    TabSummary,
    register_primary_action,
    register_staff_tab,
)

from .dossier import dossier_mission_context

S = EnrolmentState


def mission_tab(enrolment, user) -> TabSummary | None:
    ctx = dossier_mission_context(enrolment, user)
    if ctx is None:
        return TabSummary(lines=[_("Pas encore de mission : aucun consultant n'a accepté.")])
    mission = ctx["mission"]
    return TabSummary(
        lines=[
            _("Consultant : %(c)s") % {"c": mission.consultant},
            _("%(used)s demi-journées réalisées sur %(allowed)s")
            % {"used": ctx["used"], "allowed": ctx["allowed"]},
        ],
        url=reverse("consultants:mission", args=[mission.pk]),
        link_label=_("Espace de la mission"),
    )


def designate_action(enrolment, user) -> PrimaryAction:
    url = reverse("consultants:queue_detail", args=[enrolment.pk])
    if has_role(user, DIRECTION_ROLES) and not user.is_read_only:
        return PrimaryAction(label=_("Désigner le consultant"), url=url)
    return PrimaryAction(
        label=_("Voir les consultants proposés"),
        url=url,
        waiting=_("Le directeur de projet désigne le consultant."),
    )


def mission_action(enrolment, user) -> PrimaryAction | None:
    ctx = dossier_mission_context(enrolment, user)
    if ctx is None:
        return None
    label = (
        _("Ouvrir la mission (clôture)")
        if enrolment.state == S.IN_PROGRESS and ctx["remaining"] == 0
        else _("Ouvrir la mission")
    )
    return PrimaryAction(label=label, url=reverse("consultants:mission", args=[ctx["mission"].pk]))


def register() -> None:
    register_staff_tab("mission", mission_tab)
    register_primary_action(S.VALIDATED, designate_action)
    register_primary_action(S.AGREEMENT_SIGNED, mission_action)
    register_primary_action(S.IN_PROGRESS, mission_action)
