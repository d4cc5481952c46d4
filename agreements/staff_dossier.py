"""The agreement's section and primary action on the relay's dossier page (enrolment)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.roles import STAFF_ROLES, has_role
from enrolment.models import EnrolmentState
from enrolment.staff_dossier import (
    PrimaryAction,
    TabSummary,
    register_primary_action,
    register_staff_tab,
)

from .services import agreement_documents, agreement_facts


def convention_tab(enrolment, user) -> TabSummary | None:
    facts = agreement_facts(enrolment)
    if facts.version is None:
        return TabSummary(lines=[_("Aucune convention émise.")])
    lines = [_("Version en vigueur : %(v)s") % {"v": facts.version}]
    if facts.signed_at:
        lines.append(
            _("Signée le %(d)s") % {"d": date_format(timezone.localtime(facts.signed_at), "d/m/Y")}
        )
    elif facts.awaiting_signature:
        lines.append(_("En attente de signature."))
    return TabSummary(
        lines=lines,
        url=facts.url,
        link_label=_("Page de la convention"),
        documents=[(doc.label, doc.url) for doc in agreement_documents(enrolment, user)],
    )


def sign_action(enrolment, user) -> PrimaryAction | None:
    facts = agreement_facts(enrolment)
    if not facts.url:
        return PrimaryAction(label="", waiting=_("La convention est en cours de génération."))
    if not has_role(user, STAFF_ROLES) or user.is_read_only:
        return PrimaryAction(label=_("Voir la convention"), url=facts.url)
    return PrimaryAction(label=_("Enregistrer la convention signée"), url=facts.url)


def register() -> None:
    register_staff_tab("convention", convention_tab)
    register_primary_action(EnrolmentState.CONSULTANT_ASSIGNED, sign_action)
