"""The enrolment's workflow actions: the only code that changes `Enrolment.state`.

Each change of state is a named action — `submit`, `evaluate_eligibility`, `derogate`,
`diagnose`, `choose_offer`, `validate`, `send_back`, `assign_consultant`, `accept_agreement`,
`sign_agreement`, `start`, `close`, `withdraw` — described by one row of `ACTIONS` (its
source states, its target, the roles that may take it, the facts it needs) and one function
below that owns the rest of its guard and its writes. Every action runs the same steps, in one
transaction, on the locked row (`_perform`):

1. the form's version (a stale tab is refused), the source state, the permission (the role is
   in the row's set, and the actor acts on their own company, their own relay's enrolment, or
   the programme's as director or administrator);
2. the facts owned by higher layers (below), then the action's own guard;
3. its writes, the new state with its timestamp, a timeline event and an outbox event
   `enrolment.<target>` (the ledger, groups, follow-ups and agreements react to those).

A refusal raises `BusinessRuleError` with a French message before anything is written, and
the transaction rolls back whatever a caller wrote before calling: a refused action leaves no
state, ledger entry, outbox message or timeline event behind. Pages, the API, tasks, the demo
and the test builders all call these functions; `Enrolment.save()` and the queryset's
`update()` refuse any other change of `state` (`models.state_writer`).

Layering. Some guards need facts that apps above `enrolment` own: a consultant who accepted
the mission (consultants), a signed agreement (agreements), a half-day logged and a closing
report (consultants). Those apps register a *fact check* with `register_fact(name, check)`
from their `AppConfig.ready()`; `check(enrolment, by)` returns `None` when the fact holds, or
the French message that refuses the action. An action whose fact has no registered check is
refused (fail closed). The higher app's own service (accept a proposal, sign the agreement,
log a half-day, close the mission) writes its rows first and then calls the action in the
same transaction, so the check sees them — and the action, called from anywhere else (the
API, a builder), can never skip them. This module never imports an app above `enrolment`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from catalogue.selectors import tariff_in_force, vat_rate_in_force
from core.exceptions import BusinessRuleError
from core.models import Departement
from core.outbox import outbox_publish
from core.roles import Role
from core.services import timeline_record
from diagnostics.models import Diagnosis

from .deminimis import ceiling_check
from .eligibility import evaluate
from .models import (
    OPEN_STATES,
    STAFF,
    SYSTEM,
    Company,
    Enrolment,
    EnrolmentState,
    Pilot,
    state_writer,
)
from .thread import message_post_send_back

S = EnrolmentState

#: Fact check registered by a higher app: None when the fact holds, else the refusal message.
FactCheck = Callable[[Enrolment, object], "str | None"]


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    sources: frozenset[str]
    #: the state reached; `evaluate_eligibility` decides between two
    targets: tuple[str, ...]
    #: roles that may take it; `SYSTEM` when the portal takes it itself (`by=None`)
    roles: frozenset[str]
    #: facts owned by higher layers, checked through `register_fact`
    facts: tuple[str, ...] = ()

    @property
    def api_name(self) -> str:
        return self.name.replace("_", "-")


OWNER_OR_ADMIN = frozenset({Role.OWNER, Role.ADMIN})

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "submit",
            gettext_lazy("Soumettre l'inscription"),
            frozenset({S.DRAFT}),
            (S.SUBMITTED,),
            OWNER_OR_ADMIN,
        ),
        Action(
            "evaluate_eligibility",
            gettext_lazy("Évaluer l'éligibilité"),
            frozenset({S.SUBMITTED}),
            (S.ELIGIBLE, S.INELIGIBLE),
            frozenset({SYSTEM}) | STAFF,
        ),
        Action(
            "derogate",
            gettext_lazy("Déroger à l'inéligibilité"),
            frozenset({S.INELIGIBLE}),
            (S.ELIGIBLE,),
            STAFF,
        ),
        Action(
            "diagnose",
            gettext_lazy("Terminer l'autodiagnostic"),
            frozenset({S.ELIGIBLE}),
            (S.DIAGNOSED,),
            frozenset({SYSTEM}) | OWNER_OR_ADMIN,
        ),
        Action(
            "choose_offer",
            gettext_lazy("Choisir l'offre"),
            frozenset({S.DIAGNOSED}),
            (S.OFFER_CHOSEN,),
            OWNER_OR_ADMIN,
        ),
        Action(
            "validate",
            gettext_lazy("Valider l'inscription"),
            frozenset({S.OFFER_CHOSEN}),
            (S.VALIDATED,),
            STAFF,
        ),
        Action(
            "send_back",
            gettext_lazy("Renvoyer l'inscription à l'entreprise"),
            frozenset({S.OFFER_CHOSEN}),
            (S.DIAGNOSED,),
            STAFF,
        ),
        Action(
            "assign_consultant",
            gettext_lazy("Désigner le consultant"),
            frozenset({S.VALIDATED}),
            (S.CONSULTANT_ASSIGNED,),
            frozenset({Role.CONSULTANT, Role.DIRECTOR, Role.ADMIN}),
            facts=("consultant_accepted",),
        ),
        Action(
            "accept_agreement",
            gettext_lazy("Accepter la convention"),
            frozenset({S.CONSULTANT_ASSIGNED}),
            (S.AGREEMENT_SIGNED,),
            frozenset({Role.OWNER}),
            facts=("agreement_accepted",),
        ),
        Action(
            "sign_agreement",
            gettext_lazy("Enregistrer la convention signée"),
            frozenset({S.CONSULTANT_ASSIGNED}),
            (S.AGREEMENT_SIGNED,),
            STAFF,
            facts=("agreement_signed_copy",),
        ),
        Action(
            "start",
            gettext_lazy("Démarrer la mission"),
            frozenset({S.AGREEMENT_SIGNED}),
            (S.IN_PROGRESS,),
            frozenset({SYSTEM}) | STAFF,
            facts=("mission_started",),
        ),
        Action(
            "close",
            gettext_lazy("Clôturer la mission"),
            frozenset({S.IN_PROGRESS}),
            (S.CLOSED,),
            STAFF,
            facts=("closing_report_done",),
        ),
        Action(
            "withdraw",
            gettext_lazy("Enregistrer l'abandon"),
            frozenset(OPEN_STATES),
            (S.WITHDRAWN,),
            frozenset({Role.OWNER}) | STAFF,
        ),
    ]
}

_TIMESTAMPS = {
    S.SUBMITTED: "submitted_at",
    S.VALIDATED: "validated_at",
    S.AGREEMENT_SIGNED: "signed_at",
    S.CLOSED: "closed_at",
    S.WITHDRAWN: "withdrawn_at",
}
REQUIRED_COMPANY_FIELDS = ["name", "naf_code", "headcount", "address", "postcode", "city"]


# --- Facts owned by higher layers ------------------------------------------------------------

_facts: dict[str, FactCheck] = {}


def register_fact(name: str, check: FactCheck) -> None:
    """Register the check of a fact an action needs (call from an AppConfig.ready())."""
    _facts[name] = check


def _check_fact(name: str, enrolment: Enrolment, by) -> None:
    check = _facts.get(name)
    if check is None:
        raise BusinessRuleError(
            _("Cette action n'est pas disponible : la condition « %(fact)s » n'est pas vérifiable.")
            % {"fact": name}
        )
    message = check(enrolment, by)
    if message:
        raise BusinessRuleError(str(message))


# --- Permission ------------------------------------------------------------------------------


def _role(by) -> str:
    if by is None:
        return SYSTEM
    return Role.ADMIN if by.is_superuser else by.role


def _in_scope(by, enrolment: Enrolment) -> bool:
    """Own company for an owner, own relay for relay staff; the programme for the others.

    A consultant's scope (the mission they accepted) is the `consultant_accepted` fact.
    """
    if by is None or by.is_superuser:
        return True
    if by.role == Role.OWNER:
        return enrolment.company.owner_id == by.pk
    if by.role == Role.RELAY_STAFF:
        return enrolment.company.relay_id is not None and enrolment.company.relay_id == by.relay_id
    return True


def may(action: Action | str, *, enrolment: Enrolment, user) -> bool:
    """Whether `user` may take `action` on `enrolment` now (state and permission, not guards)."""
    action = ACTIONS[action] if isinstance(action, str) else action
    if user is not None and getattr(user, "is_read_only", False):
        return False
    return (
        enrolment.state in action.sources
        and _role(user) in action.roles
        and _in_scope(user, enrolment)
    )


def available_actions(*, enrolment: Enrolment, user) -> list[str]:
    """The names of the actions `user` may try on `enrolment` now (the API lists them)."""
    return [a.name for a in ACTIONS.values() if may(a, enrolment=enrolment, user=user)]


# --- The engine ------------------------------------------------------------------------------


def _lock(pk: int) -> Enrolment:
    """The enrolment row, locked for the transaction, with its company.

    `filter().first()` rather than `get()`: django-zeal reports repeated `.get()` from one
    line as an N+1, and an action chains another (submit → eligibility).
    """
    locked = Enrolment.objects.select_for_update(of=("self",)).select_related("company")
    locked = locked.filter(pk=pk).first()
    if locked is None:
        raise Enrolment.DoesNotExist(pk)
    return locked


def check_version(enrolment: Enrolment, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != enrolment.version:
        raise BusinessRuleError(
            _(
                "Cette inscription a été modifiée entre-temps (dans un autre onglet ou par "
                "la structure relais). Vos saisies sont conservées ci-dessous : vérifiez-les "
                "puis enregistrez à nouveau."
            )
        )


def _perform(
    name: str,
    *,
    enrolment: Enrolment,
    by,
    reason: str | Callable[[Enrolment], str] = "",
    expected_version: int | None = None,
    guard: Callable[[Enrolment], None] | None = None,
    apply: Callable[[Enrolment], list[str]] | None = None,
    target: Callable[[Enrolment], str] | None = None,
) -> Enrolment:
    """Check, then write: the one path from one state to another (see the module docstring)."""
    action = ACTIONS[name]
    with transaction.atomic():
        locked = _lock(enrolment.pk)
        check_version(locked, expected_version)
        if locked.state not in action.sources:
            raise BusinessRuleError(
                _("« %(action)s » n'est pas possible : l'inscription est à l'état « %(state)s ».")
                % {"action": action.label, "state": locked.get_state_display()}
            )
        if _role(by) not in action.roles or not _in_scope(by, locked):
            raise BusinessRuleError(
                _("Vous n'êtes pas autorisé à effectuer cette action : « %(action)s ».")
                % {"action": action.label}
            )
        for fact in action.facts:
            _check_fact(fact, locked, by)
        if guard is not None:
            guard(locked)
        update = apply(locked) if apply is not None else []
        to = target(locked) if target is not None else action.targets[0]
        if callable(reason):
            reason = reason(locked)
        _move(locked, to=to, by=by, reason=reason, update=update, action=action)
    enrolment.refresh_from_db()
    return enrolment


def _move(locked: Enrolment, *, to: str, by, reason: str, update: list[str], action: Action):
    current = locked.state
    now = timezone.now()
    locked.state = to
    locked.state_changed_at = now
    locked.version += 1
    update = [*update, "state", "state_changed_at", "version", "updated_at"]
    if to in _TIMESTAMPS:
        setattr(locked, _TIMESTAMPS[to], now)
        update.append(_TIMESTAMPS[to])
    if to == EnrolmentState.VALIDATED and locked.vat_rate is None:
        # the VAT rule of catalogue.pricing: the rate of the validation day, frozen
        locked.vat_rate = vat_rate_in_force(on=timezone.localdate(now))
        update.append("vat_rate")
    with state_writer():
        locked.save(update_fields=update)
    timeline_record(
        subject=locked,
        verb="transition",
        actor=by,
        message=reason,
        from_state=current,
        to_state=to,
        data={"action": action.name},
    )
    outbox_publish(
        kind=f"enrolment.{to}",
        key=f"enrolment:{locked.pk}:{to}:v{locked.version}",
        payload={"enrolment_id": locked.pk, "from": current, "to": to, "action": action.name},
    )


def _required(text: str, message: str, field: str) -> str:
    if not (text or "").strip():
        raise BusinessRuleError(message, field=field)
    return text.strip()


# --- The actions -----------------------------------------------------------------------------


def submit(*, enrolment: Enrolment, by, expected_version: int | None = None) -> Enrolment:
    """draft → submitted, then the portal evaluates eligibility at once (→ eligible/ineligible)."""

    def guard(locked: Enrolment) -> None:
        missing = [
            str(Company._meta.get_field(f).verbose_name)
            for f in REQUIRED_COMPANY_FIELDS
            if getattr(locked.company, f) in (None, "")
        ]
        if missing:
            raise BusinessRuleError(
                _("Complétez l'identité de l'entreprise : %(fields)s.")
                % {"fields": ", ".join(missing)}
            )

    with transaction.atomic():
        _perform(
            "submit", enrolment=enrolment, by=by, expected_version=expected_version, guard=guard
        )
        evaluate_eligibility(enrolment=enrolment, by=None)
    return enrolment


def eligibility_results(*, enrolment: Enrolment) -> list[dict]:
    """The eligibility rules applied to the company's identity (reasons in French)."""
    company = enrolment.company
    departements = dict(Departement.objects.filter(in_programme=True).values_list("code", "name"))
    return [
        r.as_dict()
        for r in evaluate(
            headcount=company.headcount,
            turnover=company.turnover,
            balance_sheet_total=company.balance_sheet_total,
            postcode=company.postcode,
            naf_code=company.naf_code,
            departements=departements,
        )
    ]


def evaluate_eligibility(*, enrolment: Enrolment, by=None) -> Enrolment:
    """submitted → eligible or ineligible, by the rules; the reasons are kept on the enrolment."""
    results: list[dict] = []

    def apply(locked: Enrolment) -> list[str]:
        results.extend(eligibility_results(enrolment=locked))
        locked.eligibility = results
        return ["eligibility"]

    def target(locked: Enrolment) -> str:
        return S.ELIGIBLE if all(r["ok"] for r in results) else S.INELIGIBLE

    def reason(locked: Enrolment) -> str:
        return " ".join(r["reason"] for r in results if not r["ok"])

    return _perform(
        "evaluate_eligibility",
        enrolment=enrolment,
        by=by,
        apply=apply,
        target=target,
        reason=reason,
    )


def derogate(
    *, enrolment: Enrolment, by, justification: str, expected_version: int | None = None
) -> Enrolment:
    """ineligible → eligible: staff override the rules, with a written justification."""
    text = justification or ""

    def guard(locked: Enrolment) -> None:
        _required(text, _("Une dérogation doit être justifiée par écrit."), "justification")

    def apply(locked: Enrolment) -> list[str]:
        locked.eligibility_override = text.strip()
        return ["eligibility_override"]

    return _perform(
        "derogate",
        enrolment=enrolment,
        by=by,
        reason=text.strip(),
        expected_version=expected_version,
        guard=guard,
        apply=apply,
    )


def diagnose(*, enrolment: Enrolment, by) -> Enrolment:
    """eligible → diagnosed, once the company's enrolment self-diagnosis is submitted."""

    def guard(locked: Enrolment) -> None:
        if not Diagnosis.objects.filter(enrolment=locked, state=Diagnosis.State.SUBMITTED).exists():
            raise BusinessRuleError(_("Soumettez d'abord l'autodiagnostic de l'entreprise."))

    return _perform("diagnose", enrolment=enrolment, by=by, guard=guard)


def offer_requirements(*, offer, tariff, pilots: int, problem_theme) -> None:
    """What an offer needs: open with a tariff in force, its pilot count, a problem for ciblée."""
    if offer is None or tariff is None or not offer.is_open:
        raise BusinessRuleError(
            _("Cette offre n'est pas ouverte aux inscriptions aujourd'hui."), field="offer"
        )
    needed = tariff.pilots or 1
    if pilots < needed:
        raise BusinessRuleError(
            _("L'offre « %(offer)s » demande %(n)s pilote(s) interne(s) : indiquez-les.")
            % {"offer": offer.name, "n": needed},
            field="pilots",
        )
    if pilots > needed:
        raise BusinessRuleError(
            _("L'offre « %(offer)s » prévoit exactement %(n)s pilote(s) interne(s).")
            % {"offer": offer.name, "n": needed},
            field="pilots",
        )
    if offer.code == "ciblee" and problem_theme is None:
        raise BusinessRuleError(
            _("Choisissez le problème à traiter pendant l'action ciblée."),
            field="problem_theme",
        )


PILOT_FIELDS = ("first_name", "last_name", "job_title", "email")


def pilots_needed(offer) -> int:
    """How many internal pilots the offer's tariff in force asks for (1 for ciblée, 2 otherwise)."""
    tariff = tariff_in_force(offer=offer) if offer is not None else None
    return (tariff.pilots if tariff else 1) or 1


def choose_offer(
    *,
    enrolment: Enrolment,
    by,
    offer,
    pilots: list[dict],
    problem_theme=None,
    expected_version: int | None = None,
) -> Enrolment:
    """diagnosed → offer_chosen: the offer (tariff in force today), the pilot(s), the problem."""
    pilots = [p for p in pilots if p]
    tariff = tariff_in_force(offer=offer) if offer is not None else None

    def guard(locked: Enrolment) -> None:
        offer_requirements(
            offer=offer, tariff=tariff, pilots=len(pilots), problem_theme=problem_theme
        )
        for pilot in pilots:
            if any(not str(pilot.get(f) or "").strip() for f in PILOT_FIELDS):
                raise BusinessRuleError(
                    _("Indiquez le prénom, le nom, la fonction et l'e-mail de chaque pilote."),
                    field="pilots",
                )

    def apply(locked: Enrolment) -> list[str]:
        locked.offer = offer
        locked.tariff = tariff
        locked.problem_theme = problem_theme if offer.code == "ciblee" else None
        locked.pilots.all().delete()
        bulk_create_with_history(
            [Pilot(enrolment=locked, position=i, **data) for i, data in enumerate(pilots, 1)],
            Pilot,
        )
        return ["offer", "tariff", "problem_theme"]

    return _perform(
        "choose_offer",
        enrolment=enrolment,
        by=by,
        expected_version=expected_version,
        guard=guard,
        apply=apply,
    )


def validate(*, enrolment: Enrolment, by, expected_version: int | None = None) -> Enrolment:
    """offer_chosen → validated by the relay: the offer, its tariff and pilots are complete,
    and the offer's aid stays within the de minimis ceiling (no override: EU law)."""

    def guard(locked: Enrolment) -> None:
        offer_requirements(
            offer=locked.offer,
            tariff=locked.tariff,
            pilots=locked.pilots.count(),
            problem_theme=locked.problem_theme,
        )
        ceiling_check(locked)

    return _perform(
        "validate", enrolment=enrolment, by=by, expected_version=expected_version, guard=guard
    )


def send_back(
    *, enrolment: Enrolment, by, comment: str, expected_version: int | None = None
) -> Enrolment:
    """offer_chosen → diagnosed: the relay returns it to the owner with what to review."""

    def guard(locked: Enrolment) -> None:
        _required(comment, _("Expliquez à l'entreprise ce qu'elle doit revoir."), "comment")

    def apply(locked: Enrolment) -> list[str]:
        # the comment reaches the company in the dossier's thread (and its e-mail notice)
        message_post_send_back(enrolment=locked, by=by, comment=comment.strip())
        return []

    return _perform(
        "send_back",
        enrolment=enrolment,
        by=by,
        reason=(comment or "").strip(),
        expected_version=expected_version,
        guard=guard,
        apply=apply,
    )


def assign_consultant(*, enrolment: Enrolment, by) -> Enrolment:
    """validated → consultant_assigned, once the designated consultant accepted (consultants)."""
    return _perform("assign_consultant", enrolment=enrolment, by=by)


def accept_agreement(*, enrolment: Enrolment, by, reason: str = "") -> Enrolment:
    """consultant_assigned → agreement_signed: the owner accepted the current version."""
    return _perform("accept_agreement", enrolment=enrolment, by=by, reason=reason)


def sign_agreement(*, enrolment: Enrolment, by, reason: str = "") -> Enrolment:
    """consultant_assigned → agreement_signed: the relay deposited the signed copy."""
    return _perform("sign_agreement", enrolment=enrolment, by=by, reason=reason)


def start(*, enrolment: Enrolment, by=None) -> Enrolment:
    """agreement_signed → in_progress: first half-day logged, or the mission's start date."""
    return _perform("start", enrolment=enrolment, by=by)


def close(*, enrolment: Enrolment, by) -> Enrolment:
    """in_progress → closed by the relay, once the closing report is written."""
    return _perform("close", enrolment=enrolment, by=by)


def withdraw(
    *, enrolment: Enrolment, by, reason: str, expected_version: int | None = None
) -> Enrolment:
    """Any open state → withdrawn, by the owner or the relay, with the reason."""

    def guard(locked: Enrolment) -> None:
        _required(reason, _("Indiquez le motif de l'abandon."), "reason")

    def apply(locked: Enrolment) -> list[str]:
        locked.withdrawal_reason = reason.strip()
        return ["withdrawal_reason"]

    return _perform(
        "withdraw",
        enrolment=enrolment,
        by=by,
        reason=(reason or "").strip(),
        expected_version=expected_version,
        guard=guard,
        apply=apply,
    )
