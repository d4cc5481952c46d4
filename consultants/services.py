"""Writes on the pool and missions: assignment within capacity, half-days, plans, closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from catalogue.offers import KEY_ISSUES_MAX, duration_months, is_targeted, key_issue_room
from catalogue.pricing import half_day_fee
from core.exceptions import BusinessRuleError
from core.outbox import outbox_publish
from core.roles import DIRECTION_ROLES, Role, has_role
from core.services import timeline_record
from enrolment import actions
from enrolment.models import Company, Enrolment, EnrolmentState, Pilot

from .models import (
    Action,
    ActionPlan,
    Amendment,
    Assignment,
    ConflictOfInterest,
    Expert,
    HalfDay,
    Indicator,
    KeyIssue,
    Measurement,
    Mission,
)

S = EnrolmentState
#: States in which a running mission's consultant may be replaced (the history is kept).
REASSIGNABLE_STATES = frozenset({S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS})

# consultant_assign's refusal while a proposal waits for its answer; the suggestion page says it
# beforehand, next to the disabled "Désigner" buttons
PROPOSAL_PENDING = gettext_lazy(
    "Un consultant est déjà proposé pour cette inscription ; attendez sa réponse."
)


# --- who may act ------------------------------------------------------------------------


def _is_director(user) -> bool:
    return has_role(user, DIRECTION_ROLES)


def can_assign(*, user, enrolment: Enrolment) -> bool:
    """The director designates; relay staff only if the director delegated it to relays."""
    if _is_director(user):
        return True
    return (
        user is not None
        and user.role == Role.RELAY_STAFF
        and getattr(settings, "CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS", False)
        and enrolment.company.relay_id == user.relay_id
    )


def can_manage_pool(*, user) -> bool:
    return _is_director(user)


def is_mission_consultant(*, user, mission: Mission) -> bool:
    return (
        user is not None
        and mission.consultant_id is not None
        and mission.consultant.user_id == user.pk
    )


def is_mission_relay_staff(*, user, mission: Mission) -> bool:
    if _is_director(user):
        return True
    return (
        user is not None
        and user.role == Role.RELAY_STAFF
        and mission.enrolment.company.relay_id == user.relay_id
    )


def _require(condition: bool) -> None:
    if not condition:
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à effectuer cette action."))


# --- dates --------------------------------------------------------------------------------


# --- capacity -----------------------------------------------------------------------------


def consultant_load(*, expert: Expert) -> int:
    """Slots taken: active missions plus proposals awaiting the consultant's answer."""
    active = Mission.objects.filter(consultant=expert, closed_at__isnull=True).count()
    pending = (
        Assignment.objects.pending()
        .filter(consultant=expert)
        .exclude(mission__consultant=expert)
        .count()
    )
    return active + pending


# --- conflicts of interest ---------------------------------------------------------------


def conflict_declare(*, expert: Expert, company: Company, reason: str, by) -> ConflictOfInterest:
    _require(can_manage_pool(user=by) or expert.user_id == getattr(by, "pk", None))
    if not reason.strip():
        raise BusinessRuleError(_("Indiquez le motif du conflit d'intérêts."), field="reason")
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        expert=expert, company=company, defaults={"reason": reason, "declared_by": by}
    )
    return conflict


# --- assignment ---------------------------------------------------------------------------


def consultant_assign(*, enrolment: Enrolment, consultant: Expert, by) -> Assignment:
    """Propose `consultant` for the enrolment's mission, reserving one of their slots.

    For a validated enrolment this is the first designation; for a running mission it
    proposes a replacement, who takes over on acceptance (the previous one is "replaced").

    The consultant's row is locked for the whole transaction, so two people
    assigning the last free slot at once are serialised: the second one sees
    the slot taken and gets a refusal.
    """
    _require(can_assign(user=by, enrolment=enrolment))
    with transaction.atomic():
        locked_enrolment = (
            Enrolment.objects.select_for_update().select_related("company").get(pk=enrolment.pk)
        )
        expert = Expert.objects.select_for_update().select_related("user").get(pk=consultant.pk)
        current = Mission.objects.filter(enrolment=locked_enrolment).first()
        replacing = locked_enrolment.state in REASSIGNABLE_STATES and (
            current is not None and current.consultant_id is not None and current.closed_at is None
        )
        if locked_enrolment.state != S.VALIDATED and not replacing:
            raise BusinessRuleError(
                _("Seule une inscription validée par son relais peut recevoir un consultant.")
            )
        if replacing and current.consultant_id == expert.pk:
            raise BusinessRuleError(_("%(name)s conduit déjà cette mission.") % {"name": expert})
        if expert.kind != Expert.Kind.CONSULTANT:
            raise BusinessRuleError(_("%(name)s n'est pas consultant.") % {"name": expert})
        if expert.accreditation != Expert.Accreditation.ACTIVE:
            raise BusinessRuleError(
                _("%(name)s ne peut pas recevoir de mission : habilitation « %(status)s ».")
                % {"name": expert, "status": expert.get_accreditation_display()}
            )
        if ConflictOfInterest.objects.filter(
            expert=expert, company_id=locked_enrolment.company_id
        ).exists():
            raise BusinessRuleError(
                _("%(name)s a déclaré un conflit d'intérêts avec cette entreprise.")
                % {"name": expert}
            )
        load = consultant_load(expert=expert)
        if load >= expert.capacity:
            raise BusinessRuleError(
                _(
                    "%(name)s a atteint sa capacité (%(load)s missions sur %(capacity)s) : "
                    "choisissez un autre consultant."
                )
                % {"name": expert, "load": load, "capacity": expert.capacity}
            )
        mission, _created = Mission.objects.get_or_create(enrolment=locked_enrolment)
        if Assignment.objects.pending().filter(mission=mission).exists():
            raise BusinessRuleError(str(PROPOSAL_PENDING))
        assignment = Assignment.objects.create(mission=mission, consultant=expert, proposed_by=by)
        timeline_record(
            subject=locked_enrolment,
            verb="consultant_proposed",
            actor=by,
            message=_("Consultant proposé : %(name)s") % {"name": expert},
        )
    return assignment


def assignment_accept(*, assignment: Assignment, by) -> Mission:
    """The consultant accepts: the mission is theirs and the enrolment leaves the queue."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("consultant__user", "mission")
            .get(pk=assignment.pk)
        )
        _require(assignment.consultant.user_id == getattr(by, "pk", None) or _is_director(by))
        if assignment.status != Assignment.Status.PROPOSED:
            raise BusinessRuleError(_("Cette proposition a déjà reçu une réponse."))
        mission = Mission.objects.select_for_update().get(pk=assignment.mission_id)
        enrolment = Enrolment.objects.select_related("tariff").get(pk=mission.enrolment_id)
        now = timezone.now()
        previous = list(mission.assignments.filter(status=Assignment.Status.ACCEPTED))
        for replaced in previous:
            replaced.status = Assignment.Status.REPLACED
        if previous:
            bulk_update_with_history(previous, Assignment, ["status"])
        assignment.status = Assignment.Status.ACCEPTED
        assignment.responded_at = now
        assignment.responded_by = by
        assignment.save(update_fields=["status", "responded_at", "responded_by"])
        mission.consultant = assignment.consultant
        if mission.start_date is None:
            mission.start_date = timezone.localdate()
            mission.planned_end_date = mission.start_date + relativedelta(
                months=duration_months(enrolment.tariff)
            )
        mission.save(update_fields=["consultant", "start_date", "planned_end_date"])
        if enrolment.state == S.VALIDATED:
            actions.assign_consultant(enrolment=enrolment, by=by)
        timeline_record(
            subject=enrolment,
            verb="consultant_accepted",
            actor=by,
            message=_("Mission acceptée par %(name)s") % {"name": assignment.consultant},
        )
        outbox_publish(
            kind="mission.consultant_accepted",
            key=f"assignment:{assignment.pk}:accepted",
            payload={
                "mission_id": mission.pk,
                "enrolment_id": enrolment.pk,
                "consultant_id": assignment.consultant_id,
            },
        )
    return mission


def assignment_decline(*, assignment: Assignment, by, reason: str) -> Assignment:
    """The consultant declines with a reason: the slot is freed, the enrolment waits again."""
    if not reason.strip():
        raise BusinessRuleError(_("Indiquez le motif du refus."), field="reason")
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("consultant__user", "mission")
            .get(pk=assignment.pk)
        )
        _require(assignment.consultant.user_id == getattr(by, "pk", None) or _is_director(by))
        if assignment.status != Assignment.Status.PROPOSED:
            raise BusinessRuleError(_("Cette proposition a déjà reçu une réponse."))
        assignment.status = Assignment.Status.DECLINED
        assignment.responded_at = timezone.now()
        assignment.responded_by = by
        assignment.reason = reason
        assignment.save(update_fields=["status", "responded_at", "responded_by", "reason"])
        enrolment = Enrolment.objects.get(pk=assignment.mission.enrolment_id)
        timeline_record(
            subject=enrolment,
            verb="consultant_declined",
            actor=by,
            message=_("Mission refusée par %(name)s : %(reason)s")
            % {"name": assignment.consultant, "reason": reason},
        )
    return assignment


# --- the mission workspace ----------------------------------------------------------------


def amendments_half_days():
    """The extra half-days of a mission's amendments, as a subquery (`OuterRef("pk")`)."""
    return Coalesce(
        Subquery(
            Amendment.objects.filter(mission=OuterRef("pk"))
            .order_by()
            .values("mission")
            .annotate(n=Sum("extra_half_days"))
            .values("n")[:1]
        ),
        0,
    )


def mission_allowed_half_days(*, mission: Mission, extra: int | None = None) -> int:
    """The tariff's half-days plus the amendments' (`extra`, when the caller read it with
    `amendments_half_days()`)."""
    tariff = mission.enrolment.tariff
    base = (tariff.half_days or 0) if tariff else 0
    if extra is None:
        extra = mission.amendments.aggregate(n=Sum("extra_half_days"))["n"] or 0
    return base + extra


def half_day_cap_reached(*, used: int, allowed: int) -> bool:
    """The cap: no half-day beyond those planned (tariff plus amendments). `half_day_log`
    refuses with it and the mission page replaces its form with it."""
    return used >= allowed


def half_day_cap_message(*, allowed: int) -> str:
    return _(
        "Les %(allowed)s demi-journées prévues sont toutes utilisées : "
        "un avenant du relais est nécessaire pour en ajouter."
    ) % {"allowed": allowed}


HALF_DAY_STATES = frozenset({S.AGREEMENT_SIGNED, S.IN_PROGRESS})


def half_days_may_be_logged(*, enrolment: Enrolment) -> bool:
    """Half-days are logged once the agreement is signed, while the mission runs."""
    return enrolment.state in HALF_DAY_STATES


def half_days_not_yet_message() -> str:
    return _("Les demi-journées se saisissent une fois la convention signée.")


def _half_day_rate(*, mission: Mission) -> Decimal | None:
    return half_day_fee(
        consultant_rate=mission.consultant.half_day_rate, tariff=mission.enrolment.tariff
    )


def _lock_mission(mission: Mission) -> Mission:
    return (
        Mission.objects.select_for_update(of=("self",))
        .select_related("consultant", "enrolment__tariff", "enrolment__company")
        .get(pk=mission.pk)
    )


def _require_open(mission: Mission) -> None:
    if mission.closed_at is not None:
        raise BusinessRuleError(_("La mission est clôturée : elle ne peut plus être modifiée."))


def half_day_log(
    *,
    mission: Mission,
    by,
    date: dt.date,
    subject: str,
    attendees: str,
    notes: str = "",
) -> HalfDay:
    with transaction.atomic():
        mission = _lock_mission(mission)
        _require(is_mission_consultant(user=by, mission=mission))
        _require_open(mission)
        enrolment = mission.enrolment
        if not half_days_may_be_logged(enrolment=enrolment):
            raise BusinessRuleError(half_days_not_yet_message())
        if mission.start_date and date < mission.start_date:
            raise BusinessRuleError(
                _("La date ne peut pas précéder le début de la mission (%(start)s).")
                % {"start": mission.start_date.strftime("%d/%m/%Y")},
                field="date",
            )
        if date > timezone.localdate():
            raise BusinessRuleError(_("La date ne peut pas être dans le futur."), field="date")
        used = mission.half_days.count()
        allowed = mission_allowed_half_days(mission=mission)
        if half_day_cap_reached(used=used, allowed=allowed):
            raise BusinessRuleError(half_day_cap_message(allowed=allowed))
        return half_day_record(
            mission=mission, by=by, date=date, subject=subject, attendees=attendees, notes=notes
        )


def half_day_record(
    *, mission: Mission, by, date: dt.date, subject: str, attendees: str, notes: str = ""
) -> HalfDay:
    """Write a half-day and its ledger event, without the checks (used by `half_day_log`
    and by demo/historical imports of missions already closed)."""
    with transaction.atomic():
        enrolment = mission.enrolment
        half_day = HalfDay.objects.create(
            mission=mission,
            date=date,
            subject=subject,
            attendees=attendees,
            notes=notes,
            logged_by=by,
        )
        if enrolment.state == S.AGREEMENT_SIGNED:
            actions.start(enrolment=enrolment, by=None)
        rate = _half_day_rate(mission=mission)
        outbox_publish(
            kind="mission.halfday_logged",
            key=f"halfday:{half_day.pk}",
            payload={
                "half_day_id": half_day.pk,
                "mission_id": mission.pk,
                "enrolment_id": enrolment.pk,
                "consultant_id": mission.consultant_id,
                "date": half_day.date.isoformat(),
                "rate": None if rate is None else str(rate),
            },
        )
    return half_day


def amendment_record(*, mission: Mission, by, extra_half_days: int, reason: str) -> Amendment:
    with transaction.atomic():
        mission = _lock_mission(mission)
        _require(is_mission_relay_staff(user=by, mission=mission))
        _require_open(mission)
        if extra_half_days < 1:
            raise BusinessRuleError(
                _("Un avenant ajoute au moins une demi-journée."), field="extra_half_days"
            )
        if not reason.strip():
            raise BusinessRuleError(_("Indiquez le motif de l'avenant."), field="reason")
        amendment = Amendment.objects.create(
            mission=mission, extra_half_days=extra_half_days, reason=reason, recorded_by=by
        )
        timeline_record(
            subject=mission.enrolment,
            verb="amendment",
            actor=by,
            message=_("Avenant : %(n)s demi-journée(s) supplémentaire(s) — %(reason)s")
            % {"n": extra_half_days, "reason": reason},
        )
    return amendment


def mission_is_targeted(mission: Mission) -> bool:
    """Ciblée: one action plan, no key issues. Anything else works with key issues."""
    return is_targeted(mission.enrolment.offer)


def _require_consultant_editing(mission: Mission, by) -> None:
    _require(is_mission_consultant(user=by, mission=mission))
    _require_open(mission)


def key_issue_create(*, mission: Mission, by, title: str) -> KeyIssue:
    with transaction.atomic():
        mission = _lock_mission(mission)
        _require_consultant_editing(mission, by)
        if mission_is_targeted(mission):
            raise BusinessRuleError(
                _("Une mission ciblée traite un seul problème : pas d'enjeux clés.")
            )
        count = mission.key_issues.count()
        if not key_issue_room(count):
            raise BusinessRuleError(
                _("%(n)s enjeux clés au plus par mission approfondie.") % {"n": KEY_ISSUES_MAX}
            )
        return KeyIssue.objects.create(mission=mission, title=title, position=count + 1)


def action_plan_create(
    *, mission: Mission, by, title: str, objective: str = "", key_issue: KeyIssue | None = None
) -> ActionPlan:
    with transaction.atomic():
        mission = _lock_mission(mission)
        _require_consultant_editing(mission, by)
        if mission_is_targeted(mission):
            if mission.action_plans.exists():
                raise BusinessRuleError(_("Une mission ciblée a un seul plan d'action."))
            key_issue = None
        else:
            if key_issue is None or key_issue.mission_id != mission.pk:
                raise BusinessRuleError(
                    _("Rattachez le plan d'action à l'un des enjeux clés de la mission."),
                    field="key_issue",
                )
        return ActionPlan.objects.create(
            mission=mission, key_issue=key_issue, title=title, objective=objective
        )


def action_create(*, plan: ActionPlan, by, title: str, owner: Pilot, due_date: dt.date) -> Action:
    _require_consultant_editing(plan.mission, by)
    if owner.enrolment_id != plan.mission.enrolment_id:
        raise BusinessRuleError(
            _("Le responsable doit être un pilote de l'entreprise."), field="owner"
        )
    return Action.objects.create(plan=plan, title=title, owner=owner, due_date=due_date)


def action_set_status(*, action: Action, by, status: str) -> Action:
    _require_consultant_editing(action.plan.mission, by)
    if status not in Action.Status.values:
        raise BusinessRuleError(_("Statut inconnu."), field="status")
    action.status = status
    action.save(update_fields=["status"])
    return action


def indicator_create(
    *, plan: ActionPlan, by, name: str, unit: str, baseline: Decimal, target: Decimal
) -> Indicator:
    _require_consultant_editing(plan.mission, by)
    if baseline == target:
        raise BusinessRuleError(
            _("La cible doit être différente de la valeur de départ."), field="target"
        )
    return Indicator.objects.create(
        plan=plan, name=name, unit=unit, baseline=baseline, target=target
    )


def measurement_record(
    *, indicator: Indicator, by, date: dt.date, value: Decimal | None
) -> Measurement:
    _require_consultant_editing(indicator.plan.mission, by)
    if value is None:
        raise BusinessRuleError(_("Saisissez la valeur mesurée."), field="value")
    if date > timezone.localdate():
        raise BusinessRuleError(_("La date ne peut pas être dans le futur."), field="date")
    return Measurement.objects.create(indicator=indicator, date=date, value=value, recorded_by=by)


def mission_write_summary(*, mission: Mission, by, summary: str) -> Mission:
    _require_consultant_editing(mission, by)
    if not summary.strip():
        raise BusinessRuleError(_("La synthèse de clôture est vide."), field="closing_summary")
    mission.closing_summary = summary
    mission.save(update_fields=["closing_summary"])
    return mission


def mission_close(*, mission: Mission, by) -> Mission:
    """Relay staff close the mission; the `close` action checks the closing summary is written."""
    with transaction.atomic():
        mission = _lock_mission(mission)
        _require(is_mission_relay_staff(user=by, mission=mission))
        _require_open(mission)
        actions.close(enrolment=mission.enrolment, by=by)
        mission.closed_at = timezone.now()
        mission.save(update_fields=["closed_at"])
        outbox_publish(
            kind="mission.closed",
            key=f"mission:{mission.pk}:closed",
            payload={"mission_id": mission.pk, "enrolment_id": mission.enrolment_id},
        )
    return mission


# --- facts the enrolment's workflow actions ask for (registered in ConsultantsConfig.ready) -----


def _accepted_mission(enrolment: Enrolment) -> Mission | None:
    return (
        Mission.objects.select_related("consultant")
        .filter(enrolment=enrolment, consultant__isnull=False)
        .first()
    )


def fact_consultant_accepted(enrolment: Enrolment, by) -> str | None:
    """`assign_consultant`: the designated consultant accepted (and acts for themselves)."""
    mission = _accepted_mission(enrolment)
    if (
        mission is None
        or not mission.assignments.filter(
            status=Assignment.Status.ACCEPTED, consultant_id=mission.consultant_id
        ).exists()
    ):
        return _("Aucun consultant n'a encore accepté cette mission.")
    if by is not None and by.role == Role.CONSULTANT and mission.consultant.user_id != by.pk:
        return _("Seul le consultant qui a accepté la mission peut la prendre en charge.")
    return None


def fact_mission_started(enrolment: Enrolment, by) -> str | None:
    """`start`: a first half-day is logged, or the mission's start date has come."""
    mission = _accepted_mission(enrolment)
    if mission is None:
        return _("Aucune mission n'est attachée à cette inscription.")
    if mission.half_days.exists():
        return None
    if mission.start_date is not None and mission.start_date <= timezone.localdate():
        return None
    return _(
        "La mission n'a pas commencé : aucune demi-journée n'est saisie et sa date de début "
        "n'est pas atteinte."
    )


def fact_closing_report_done(enrolment: Enrolment, by) -> str | None:
    """`close`: the consultant wrote the closing summary of the mission."""
    mission = _accepted_mission(enrolment)
    if mission is None or not mission.closing_summary.strip():
        return _("Le consultant doit d'abord rédiger la synthèse de clôture.")
    return None


def register_facts() -> None:
    actions.register_fact("consultant_accepted", fact_consultant_accepted)
    actions.register_fact("mission_started", fact_mission_started)
    actions.register_fact("closing_report_done", fact_closing_report_done)
