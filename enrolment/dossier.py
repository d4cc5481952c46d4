"""The company's dossier as its owner reads it: one function says where the enrolment stands.

`owner_status()` is the only place that decides what the owner is told about an enrolment —
its status in words, what it means, the one next action — and what the agreement's status
is. The owner's home, the dossier page and the agreement page all call it, so they agree.

The apps above this one contribute what they know through registries, never through imports:
- `register_agreement_facts(provider)`: the agreement's current version and signature;
- `register_dossier_section(...)`: a block of the dossier (mission progress, next seminar,
  documents), a template with its context.

The owner's journey (sign-up → request sent) has six steps; `journey_step()` gives the
indicator of each page (core.steps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.services import timeline_for
from core.steps import StepIndicator
from diagnostics.models import Diagnosis
from diagnostics.selectors import diagnosis_resume_point

from .models import Enrolment, EnrolmentState, Pilot

S = EnrolmentState

# --- the journey's steps ---------------------------------------------------------------------

JOURNEY_STEPS = (
    gettext_lazy("Votre compte"),
    gettext_lazy("Votre entreprise"),
    gettext_lazy("Autodiagnostic"),
    gettext_lazy("Pilotes et offre"),
    gettext_lazy("Vérifiez vos réponses"),
    gettext_lazy("Demande envoyée"),
)
STEP_ACCOUNT, STEP_COMPANY, STEP_DIAGNOSIS, STEP_OFFER, STEP_CHECK, STEP_SENT = range(1, 7)


def journey_step(number: int, detail: str = "") -> StepIndicator:
    """The indicator of step `number` of the owner's journey ("Étape 3 sur 6 — …")."""
    return StepIndicator(
        labels=tuple(str(label) for label in JOURNEY_STEPS),
        current=number,
        detail=detail,
        aria_label=_("Étapes de l'inscription"),
    )


# --- what the dossier says -------------------------------------------------------------------


def enrolment_reference(enrolment: Enrolment) -> str:
    """The dossier's reference, given to the owner and quoted in every exchange."""
    return f"PME-{enrolment.pk:06d}"


#: Assumption (configurable): the relay answers a request within this many working days.
DEFAULT_VALIDATION_WORKING_DAYS = 10


def validation_working_days() -> int:
    return int(
        getattr(settings, "ENROLMENT_VALIDATION_WORKING_DAYS", DEFAULT_VALIDATION_WORKING_DAYS)
    )


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def expected_answer_date(enrolment: Enrolment) -> dt.date:
    sent = enrolment.state_changed_at or timezone.now()
    return add_working_days(timezone.localdate(sent), validation_working_days())


@dataclass(frozen=True)
class AgreementFacts:
    """What the agreements app knows about an enrolment's agreement."""

    version: int | None = None  # the current version, if any was issued
    awaiting_signature: bool = False  # the current version waits for the owner's signature
    signed_at: dt.datetime | None = None  # the signature recorded in the portal
    url: str = ""  # the agreement page


_agreement_facts: list[Callable[[Enrolment], AgreementFacts]] = []


def register_agreement_facts(provider: Callable[[Enrolment], AgreementFacts]) -> None:
    if provider not in _agreement_facts:
        _agreement_facts.append(provider)


def agreement_facts(enrolment: Enrolment) -> AgreementFacts:
    for provider in _agreement_facts:
        return provider(enrolment)
    return AgreementFacts()


@dataclass(frozen=True)
class DiagnosisProgress:
    """The draft self-diagnosis of the journey: where the owner resumes."""

    diagnosis_id: int
    answered: int
    total: int
    resume_theme: int  # 1-based
    themes: int


@dataclass(frozen=True)
class Action:
    label: str
    url: str


@dataclass(frozen=True)
class OwnerStatus:
    state: str
    title: str
    text: str
    tone: str  # "todo" (the owner acts), "waiting", "done", "stopped"
    action: Action | None
    agreement: str  # the agreement's status, in words
    agreement_to_sign: bool = False
    agreement_url: str = ""  # the agreement page, once a version exists


@dataclass(frozen=True)
class DossierFacts:
    agreement: AgreementFacts = field(default_factory=AgreementFacts)
    diagnosis: DiagnosisProgress | None = None
    sent_back_reason: str = ""
    offer_ready: bool = False  # offer and pilots saved, not sent yet


def _date(value) -> str:
    return date_format(
        timezone.localtime(value) if isinstance(value, dt.datetime) else value, "d/m/Y"
    )


def agreement_status_text(enrolment: Enrolment, facts: AgreementFacts) -> str:
    """The agreement's status in words, consistent with the enrolment's state."""
    signed_at = facts.signed_at or enrolment.signed_at
    if enrolment.state in {S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED} or (
        enrolment.state == S.WITHDRAWN and signed_at
    ):
        if signed_at:
            return _("Signée le %(date)s") % {"date": _date(signed_at)}
        return _("Signée")
    if enrolment.state == S.WITHDRAWN:
        return _("Sans objet : la démarche est abandonnée")
    if enrolment.state == S.CONSULTANT_ASSIGNED:
        if facts.awaiting_signature and facts.version:
            return _("À signer (version %(v)s)") % {"v": facts.version}
        return _("En préparation")
    return _("Pas encore émise : elle est préparée quand votre consultant a accepté la mission")


def owner_status(enrolment: Enrolment, facts: DossierFacts | None = None) -> OwnerStatus:
    """What the owner is told about `enrolment`: the only function that decides it."""
    facts = facts or DossierFacts()
    pk = enrolment.pk
    state = enrolment.state
    relay = enrolment.company.relay
    agreement = agreement_status_text(enrolment, facts.agreement)

    def status(title, text, tone, action=None, to_sign=False) -> OwnerStatus:
        return OwnerStatus(
            state=state,
            title=str(title),
            text=str(text),
            tone=tone,
            action=action,
            agreement=agreement,
            agreement_to_sign=to_sign,
            agreement_url=facts.agreement.url if facts.agreement.version else "",
        )

    if state == S.DRAFT:
        return status(
            _("Inscription à compléter"),
            _(
                "Complétez l'identité de votre entreprise : son éligibilité est vérifiée dès "
                "que vous l'enregistrez."
            ),
            "todo",
            Action(_("Compléter mon inscription"), reverse("enrolment:company", args=[pk])),
        )
    if state == S.SUBMITTED:
        return status(
            _("Éligibilité en cours de vérification"),
            _("Votre demande est enregistrée ; son éligibilité est en cours de vérification."),
            "waiting",
        )
    if state == S.ELIGIBLE:
        progress = facts.diagnosis
        if progress is None or progress.answered == 0:
            return status(
                _("Autodiagnostic à remplir"),
                _(
                    "Votre entreprise est éligible. Étape suivante : l'autodiagnostic, "
                    "environ 20 minutes ; vos réponses sont enregistrées au fur et à mesure."
                ),
                "todo",
                Action(
                    _("Commencer l'autodiagnostic"),
                    reverse("diagnostics:theme", args=[progress.diagnosis_id, 1])
                    if progress
                    else reverse("enrolment:diagnosis", args=[pk]),
                ),
            )
        return status(
            _("Autodiagnostic en cours"),
            _(
                "Vous avez répondu à %(answered)s questions sur %(total)s. Reprenez là où "
                "vous vous étiez arrêté : thème %(theme)s sur %(themes)s."
            )
            % {
                "answered": progress.answered,
                "total": progress.total,
                "theme": progress.resume_theme,
                "themes": progress.themes,
            },
            "todo",
            Action(
                _("Reprendre l'autodiagnostic"),
                reverse("diagnostics:theme", args=[progress.diagnosis_id, progress.resume_theme]),
            ),
        )
    if state == S.INELIGIBLE:
        return status(
            _("Demande non éligible"),
            _(
                "Votre demande ne remplit pas les conditions du programme (le détail est "
                "ci-dessous). Elle est conservée : votre structure relais peut la réexaminer."
            ),
            "stopped",
        )
    if state == S.DIAGNOSED:
        if facts.sent_back_reason:
            return status(
                _("Demande à revoir"),
                _("Votre structure relais vous demande de revoir votre demande : « %(reason)s »")
                % {"reason": facts.sent_back_reason},
                "todo",
                Action(_("Revoir l'offre et les pilotes"), reverse("enrolment:offer", args=[pk])),
            )
        if facts.offer_ready:
            return status(
                _("Demande à vérifier et envoyer"),
                _(
                    "Votre offre et vos pilotes sont enregistrés : vérifiez vos réponses, puis "
                    "envoyez votre demande à votre structure relais."
                ),
                "todo",
                Action(_("Vérifier et envoyer ma demande"), reverse("enrolment:review", args=[pk])),
            )
        return status(
            _("Offre et pilotes à choisir"),
            _(
                "Votre autodiagnostic est terminé. Choisissez l'offre et nommez vos pilotes "
                "internes, puis vérifiez et envoyez votre demande."
            ),
            "todo",
            Action(
                _("Choisir l'offre et nommer les pilotes"), reverse("enrolment:offer", args=[pk])
            ),
        )
    if state == S.OFFER_CHOSEN:
        return status(
            _("Demande envoyée, en cours d'examen"),
            _(
                "%(relay)s examine votre demande : réponse attendue sous %(days)s jours "
                "ouvrés, d'ici le %(date)s."
            )
            % {
                "relay": relay or _("Votre structure relais"),
                "days": validation_working_days(),
                "date": _date(expected_answer_date(enrolment)),
            },
            "waiting",
        )
    if state == S.VALIDATED:
        return status(
            _("Inscription validée"),
            _(
                "Votre structure relais a validé votre inscription. Le programme vous propose "
                "maintenant un consultant adapté à votre besoin."
            ),
            "waiting",
        )
    if state == S.CONSULTANT_ASSIGNED:
        a = facts.agreement
        if a.awaiting_signature and a.version and a.url:
            return status(
                _("Convention à signer"),
                _(
                    "Votre consultant a accepté la mission. Lisez la convention (version "
                    "%(v)s) et signez-la en ligne : la mission démarre ensuite."
                )
                % {"v": a.version},
                "todo",
                Action(_("Lire et signer la convention"), a.url),
                to_sign=True,
            )
        return status(
            _("Convention en préparation"),
            _(
                "Votre consultant a accepté la mission ; la convention est en préparation et "
                "vous sera proposée à la signature ici."
            ),
            "waiting",
        )
    if state == S.AGREEMENT_SIGNED:
        return status(
            _("Convention signée"),
            _("La mission démarre avec la première demi-journée de conseil."),
            "waiting",
        )
    if state == S.IN_PROGRESS:
        return status(
            _("Mission en cours"),
            _("Votre consultant vous accompagne ; l'avancement de la mission est ci-dessous."),
            "waiting",
        )
    if state == S.CLOSED:
        return status(
            _("Mission terminée"),
            _(
                "La mission est clôturée. Le programme prendra de vos nouvelles à 6, 12 et 36 "
                "mois pour savoir si la démarche se poursuit."
            ),
            "done",
        )
    reason = (enrolment.withdrawal_reason or "").strip()
    return status(
        _("Démarche abandonnée"),
        _("Motif : %(reason)s") % {"reason": reason} if reason else _("La démarche est arrêtée."),
        "stopped",
    )


def diagnosis_progress(enrolment: Enrolment) -> DiagnosisProgress | None:
    """The journey's draft self-diagnosis (eligible enrolments only), or None."""
    if enrolment.state != S.ELIGIBLE:
        return None
    draft = (
        Diagnosis.objects.filter(company_id=enrolment.company_id, state=Diagnosis.State.DRAFT)
        .select_related("questionnaire")
        .first()
    )
    if draft is None:
        return None
    point = diagnosis_resume_point(diagnosis=draft)
    return DiagnosisProgress(
        diagnosis_id=draft.pk,
        answered=point.answered,
        total=point.total,
        resume_theme=point.theme,
        themes=point.themes,
    )


def sent_back_reason(enrolment: Enrolment) -> str:
    """The relay's comment when it returned the request (and it was not sent again since)."""
    if enrolment.state != S.DIAGNOSED:
        return ""
    last = (
        timeline_for(enrolment, include_internal=False)
        .filter(verb="transition", to_state__in=[S.DIAGNOSED, S.OFFER_CHOSEN])
        .order_by("-created_at", "-pk")
        .first()
    )
    if last and last.to_state == S.DIAGNOSED and last.from_state == S.OFFER_CHOSEN:
        return last.message
    return ""


def offer_ready(enrolment: Enrolment) -> bool:
    """An offer and its pilots are saved on a diagnosed enrolment (the check page can open)."""
    return bool(
        enrolment.state == S.DIAGNOSED
        and enrolment.offer_id
        and Pilot.objects.filter(enrolment_id=enrolment.pk).exists()
    )


def dossier_facts(enrolment: Enrolment) -> DossierFacts:
    return DossierFacts(
        agreement=agreement_facts(enrolment),
        diagnosis=diagnosis_progress(enrolment),
        sent_back_reason=sent_back_reason(enrolment),
        offer_ready=offer_ready(enrolment),
    )


def owner_status_for(enrolment: Enrolment) -> OwnerStatus:
    """`owner_status` with the facts read from the database (home, dossier, agreement page)."""
    return owner_status(enrolment, dossier_facts(enrolment))


# --- the dossier's sections, contributed by the apps above -----------------------------------


@dataclass(frozen=True)
class DossierSection:
    template: str
    context: Callable  # (enrolment, user) -> dict | None (None: nothing to show)
    order: int = 50


_sections: list[DossierSection] = []


def register_dossier_section(*, template: str, context: Callable, order: int = 50) -> None:
    if any(s.template == template for s in _sections):
        return
    _sections.append(DossierSection(template=template, context=context, order=order))


@dataclass(frozen=True)
class Document:
    label: str
    url: str


_documents: list[Callable] = []


def register_dossier_documents(provider: Callable) -> None:
    """`provider(enrolment, user) -> list[Document]`: the documents an app keeps for a dossier."""
    if provider not in _documents:
        _documents.append(provider)


def dossier_documents(enrolment: Enrolment, user) -> list[Document]:
    return [doc for provider in _documents for doc in provider(enrolment, user)]


def dossier_sections(enrolment: Enrolment, user) -> list[tuple[str, dict]]:
    shown = []
    for section in sorted(_sections, key=lambda s: s.order):
        ctx = section.context(enrolment, user)
        if ctx is not None:
            shown.append((section.template, ctx))
    return shown
