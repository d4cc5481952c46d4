"""The relay's dossier page, in the instructor-view pattern: what is shown and in which order.

- the header: the company, its SIRET, the state in words (what it means for the relay) and the
  one primary action of this state (`primary_action`);
- the sections Demande / Autodiagnostic / Convention / Mission / Comptabilité / Historique, each
  with a short summary and a link to its full page; the apps above this one contribute theirs
  through `register_staff_tab(key, provider)` from their `AppConfig.ready()` (never imports);
- the primary action of a state an app above owns (designation, agreement, mission) comes
  from `register_primary_action(state, provider)`;
- one history merging the timeline's events and the audit trail, every line in French words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import AuditEntry, FieldChange
from core.timeline_text import event_text

from . import actions
from .models import Enrolment, EnrolmentState

S = EnrolmentState

TABS: tuple[tuple[str, object], ...] = (
    ("demande", gettext_lazy("Demande")),
    ("autodiagnostic", gettext_lazy("Autodiagnostic")),
    ("convention", gettext_lazy("Convention")),
    ("mission", gettext_lazy("Mission")),
    ("comptabilite", gettext_lazy("Comptabilité")),
    ("historique", gettext_lazy("Historique")),
)

#: What each state means for the relay, in words (the header's second line).
STATE_MEANING = {
    S.DRAFT: gettext_lazy("L'entreprise n'a pas encore envoyé sa demande."),
    S.SUBMITTED: gettext_lazy("Demande reçue : l'éligibilité est en cours d'évaluation."),
    S.ELIGIBLE: gettext_lazy("Éligible : l'entreprise remplit son autodiagnostic."),
    S.INELIGIBLE: gettext_lazy(
        "Non éligible : la demande est conservée ; une dérogation motivée reste possible."
    ),
    S.DIAGNOSED: gettext_lazy("Autodiagnostic terminé : l'entreprise choisit son offre."),
    S.OFFER_CHOSEN: gettext_lazy(
        "Offre et pilotes choisis : la demande attend la validation de la structure relais."
    ),
    S.VALIDATED: gettext_lazy("Validée : le directeur de projet désigne le consultant."),
    S.CONSULTANT_ASSIGNED: gettext_lazy(
        "Consultant désigné : la convention doit être émise puis signée."
    ),
    S.AGREEMENT_SIGNED: gettext_lazy(
        "Convention signée : la mission démarre à la première demi-journée."
    ),
    S.IN_PROGRESS: gettext_lazy("Mission en cours : le consultant saisit ses demi-journées."),
    S.CLOSED: gettext_lazy("Mission clôturée."),
    S.WITHDRAWN: gettext_lazy("L'entreprise a abandonné le programme."),
}


@dataclass(frozen=True)
class PrimaryAction:
    """The one thing to do now: a link, or a form posted to a workflow action."""

    label: str
    url: str = ""
    #: the staff action posted (`enrolment:staff_action`), or "" for a link
    post_action: str = ""
    #: a question asked before an irreversible action
    confirm: str = ""
    #: when nobody on this page acts: who is expected to, in words
    waiting: str = ""


@dataclass(frozen=True)
class TabSummary:
    """A section's summary on the dossier page and the link to its full page."""

    lines: list[str] = field(default_factory=list)
    url: str = ""
    link_label: str = ""
    #: (label, url) of the section's documents (PDFs)
    documents: list[tuple[str, str]] = field(default_factory=list)


TabProvider = Callable[[Enrolment, object], "TabSummary | None"]
ActionProvider = Callable[[Enrolment, object], "PrimaryAction | None"]
_tabs: dict[str, TabProvider] = {}
_primary: dict[str, ActionProvider] = {}


def register_staff_tab(key: str, provider: TabProvider) -> None:
    """The summary of section `key` ("convention", "mission", "comptabilite") of the page."""
    _tabs[key] = provider


def register_primary_action(state: str, provider: ActionProvider) -> None:
    """The primary action of `state` when an app above owns it (designation, agreement…)."""
    _primary[state] = provider


def tab_summary(key: str, enrolment: Enrolment, user) -> TabSummary | None:
    provider = _tabs.get(key)
    return provider(enrolment, user) if provider is not None else None


def primary_action(enrolment: Enrolment, user) -> PrimaryAction | None:
    """The header's one action for `user` in the enrolment's state (None: nothing to do)."""
    state = enrolment.state
    if state == S.OFFER_CHOSEN:
        if actions.may("validate", enrolment=enrolment, user=user):
            return PrimaryAction(
                label=_("Valider l'inscription"),
                post_action="validate",
                confirm=_(
                    "Valider l'inscription de %(company)s ? Le tarif et le taux de TVA du jour "
                    "seront figés et la demande partira vers la désignation du consultant."
                )
                % {"company": enrolment.company.name},
            )
        return PrimaryAction(label="", waiting=_("En attente de la validation du relais."))
    if state in _primary:
        found = _primary[state](enrolment, user)
        if found is not None:
            return found
    if state == S.INELIGIBLE and actions.may("derogate", enrolment=enrolment, user=user):
        return PrimaryAction(
            label=_("Écrire à l'entreprise"),
            url="#messages",
            waiting=_("Une dérogation motivée se déclare dans le panneau « Autres actions »."),
        )
    if state in {S.DRAFT, S.ELIGIBLE, S.DIAGNOSED, S.INELIGIBLE}:
        return PrimaryAction(
            label=_("Écrire à l'entreprise"),
            url="#messages",
            waiting=_("L'entreprise a la main : vous pouvez lui écrire."),
        )
    return None


# --- One history: the timeline's events and the audit trail, in words ------------------------

#: Audit fields the timeline's events already tell in words (a change of state and its date).
_TOLD_BY_EVENTS = frozenset(
    {
        "state",
        "state_changed_at",
        "submitted_at",
        "validated_at",
        "signed_at",
        "closed_at",
        "withdrawn_at",
        "version",
        "updated_at",
    }
)


@dataclass
class HistoryLine:
    date: dt.datetime
    who: str
    title: str
    detail: str = ""
    internal: bool = False
    changes: list[str] = field(default_factory=list)


def _change_text(change: FieldChange) -> str:
    if change.old is None:
        return f"{change.label} : {change.new}"
    if change.old == change.new:  # a value shown only as "(mis à jour)" (JSON)
        return _("%(label)s mis à jour") % {"label": change.label}
    return f"{change.label} : {change.old} → {change.new}"


def _audit_line(entry: AuditEntry) -> HistoryLine | None:
    changes = [
        c for c in entry.changes if c.field not in _TOLD_BY_EVENTS and c.field != "enrolment"
    ]
    if entry.history_type == "~" and not changes:
        return None
    if entry.history_type == "+" and entry.kind.key == "enrolment.enrolment":
        return None  # the timeline's "created" event says it
    title = _("%(kind)s : %(action)s") % {"kind": entry.kind.label, "action": entry.action.lower()}
    if entry.object_label and entry.kind.key != "enrolment.enrolment":
        title = f"{title} ({entry.object_label})"
    return HistoryLine(
        date=entry.date,
        who=str(entry.user) if entry.user is not None else _("le portail"),
        title=title,
        changes=[_change_text(c) for c in changes],
    )


def merged_history(*, events, audit: list[AuditEntry]) -> list[HistoryLine]:
    """Events and audit entries, newest first, each in French words (never a code)."""
    lines = []
    for event in events:
        text = event_text(event)
        lines.append(
            HistoryLine(
                date=event.created_at,
                who=str(event.actor) if event.actor_id else _("le portail"),
                title=text.title,
                detail=text.detail,
                internal=event.internal,
            )
        )
    for entry in audit:
        line = _audit_line(entry)
        if line is not None:
            lines.append(line)
    return sorted(lines, key=lambda line: line.date, reverse=True)


# --- The page's sections ------------------------------------------------------------------


@dataclass
class Tab:
    key: str
    title: str
    summary: TabSummary | None


def dossier_tabs(*, enrolment: Enrolment, user, diagnoses: list) -> list[Tab]:
    """The sections of the page, each with its summary (the history and request are inline)."""
    tabs = []
    for key, title in TABS:
        if key == "demande":
            summary = TabSummary(
                url=reverse("enrolment:company_detail", args=[enrolment.company_id]),
                link_label=_("Fiche complète de l'entreprise"),
            )
        elif key == "autodiagnostic":
            summary = (
                TabSummary(
                    url=reverse("diagnostics:results", args=[diagnoses[0].pk]),
                    link_label=_("Résultats complets de l'autodiagnostic"),
                )
                if diagnoses
                else None
            )
        elif key == "historique":
            summary = None
        else:
            summary = tab_summary(key, enrolment, user)
        tabs.append(Tab(key=key, title=str(title), summary=summary))
    return tabs
