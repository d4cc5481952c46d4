"""Reads about the pool and missions shared by pages, already scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.offers import KEY_ISSUES_MAX, is_targeted
from core.audit import history_for
from core.scoping import get_visible_or_404
from diagnostics.models import Diagnosis
from diagnostics.scoring import thresholds, weakest_themes
from diagnostics.selectors import all_themes
from enrolment.models import Enrolment, EnrolmentState

from .models import (
    Action,
    ActionPlan,
    Assignment,
    ConflictOfInterest,
    Expert,
    HalfDay,
    Indicator,
    Measurement,
    Mission,
)

#: A mission is "behind schedule" when the share of half-days used trails the share of
#: the planned duration elapsed by at least this much (assumption, tune here).
BEHIND_SCHEDULE_GAP = 0.3


def missions_for_consultant(*, user):
    return (
        Mission.objects.visible_to(user)
        .select_related("enrolment__company", "enrolment__offer")
        .order_by("closed_at", "-start_date")
    )


def expert_for_user(*, user) -> Expert | None:
    return Expert.objects.filter(user=user).prefetch_related("specialties", "departements").first()


# --- load -------------------------------------------------------------------------------


def _count_subquery(queryset: QuerySet, ref: str) -> Coalesce:
    counted = (
        queryset.filter(**{ref: OuterRef("pk")})
        .order_by()
        .values(ref)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_load(queryset: QuerySet) -> QuerySet:
    """Annotate experts with active missions, pending proposals and load = both."""
    return queryset.annotate(
        active_missions=_count_subquery(
            Mission.objects.filter(closed_at__isnull=True), "consultant"
        ),
        pending_proposals=_count_subquery(
            Assignment.objects.pending().exclude(mission__consultant_id=F("consultant_id")),
            "consultant",
        ),
        closed_missions=_count_subquery(
            Mission.objects.filter(closed_at__isnull=False), "consultant"
        ),
    ).alias(  # in SQL for filters and ordering only; `Expert.load` adds the two counts
        load=F("active_missions") + F("pending_proposals"),
        load_ratio=Cast(F("load"), FloatField())
        / Cast(NullIf(F("capacity"), Value(0)), FloatField()),
    )


def pool_for(*, user) -> QuerySet:
    """The pool list: experts with their load, specialties and territories, in few queries."""
    return (
        with_load(Expert.objects.visible_to(user))
        .select_related("user")
        .prefetch_related("specialties", "departements")
    )


def expert_tags(expert_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The experts' specialties (names, in the questionnaire's order) and territories
    (département codes), each {expert id: [...]}: two reads of the link tables."""
    specialties: dict[int, list[str]] = {}
    for pk, name in (
        Expert.specialties.through.objects.filter(expert_id__in=expert_ids)
        .order_by("theme__position", "theme__name")
        .values_list("expert_id", "theme__name")
    ):
        specialties.setdefault(pk, []).append(name)
    departements: dict[int, list[str]] = {}
    for pk, code in (
        Expert.departements.through.objects.filter(expert_id__in=expert_ids)
        .order_by("departement_id")
        .values_list("expert_id", "departement_id")
    ):
        departements.setdefault(pk, []).append(code)
    return specialties, departements


def expert_profile(*, user, pk: int):
    expert = get_visible_or_404(
        with_load(Expert.objects.select_related("user")).prefetch_related(
            "specialties", "departements"
        ),
        user,
        pk=pk,
    )
    missions = missions_list(user=user).filter(consultant=expert)
    conflicts = ConflictOfInterest.objects.filter(expert=expert).select_related("company")
    return expert, missions, conflicts


# --- suggestions ------------------------------------------------------------------------


def wanted_theme_codes(*, enrolment: Enrolment, weak_theme_codes=None) -> list[str]:
    """Themes the consultant should master: the chosen problem (ciblée) or the key weak
    themes of the self-diagnosis (approfondie, passed in as codes); falls back to the
    problem theme, or nothing."""
    if weak_theme_codes and not is_targeted(enrolment.offer):
        return list(weak_theme_codes)
    return [enrolment.problem_theme.code] if enrolment.problem_theme_id else []


def weak_theme_codes_by_enrolment(enrolments) -> dict[int, list[str]]:
    """{enrolment id: key weak theme codes} for many enrolments, in one query (the themes are
    reference data).

    For each enrolment: its latest submitted self-diagnosis (one attached to the
    enrolment first, else the company's latest), and the themes scoring under the
    configured `weak_below` threshold, weakest first (ties in the questionnaire's
    order), at most `KEY_ISSUES_MAX` (an approfondie agrees that many key issues at most).
    """
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    rows = (
        Diagnosis.objects.submitted()
        .filter(company_id__in={e.company_id for e in enrolments})
        .order_by("-submitted_at", "-pk")
        .values_list("enrolment_id", "company_id", "theme_scores")
    )
    own: dict[int, dict] = {}
    latest_of_company: dict[int, dict] = {}
    for enrolment_id, company_id, scores in rows:  # newest first: keep the first seen
        if enrolment_id is not None:
            own.setdefault(enrolment_id, scores)
        latest_of_company.setdefault(company_id, scores)
    order = [t.code for t in all_themes()]
    weak_below = thresholds()["weak_below"]
    result = {}
    for e in enrolments:
        raw = own.get(e.pk) or latest_of_company.get(e.company_id) or {}
        scores = {code: Decimal(str(value)) for code, value in raw.items()}
        weakest = weakest_themes(scores, order=order, n=len(scores))
        result[e.pk] = [c for c in weakest if scores[c] < weak_below][:KEY_ISSUES_MAX]
    return result


def with_assignment_needs(enrolments) -> dict[int, list[str]]:
    """What each enrolment needs a consultant for, the same on the queue and the suggestion page.

    Sets on each enrolment `targeted` (a ciblée: its chosen problem is the need) and
    `weak_themes` (the names of its key weak themes, weakest first, from
    `weak_theme_codes_by_enrolment`); returns {enrolment id: weak theme codes} for the ranking.
    One query for any number of enrolments (the diagnoses; the themes are reference data).
    """
    enrolments = list(enrolments)
    weak = weak_theme_codes_by_enrolment(enrolments)
    names = {t.code: t.name for t in all_themes()}
    for e in enrolments:
        e.targeted = is_targeted(e.offer)
        e.weak_themes = [names.get(c, c) for c in weak.get(e.pk, [])]
    return weak


def diagnosis_weak_theme_codes(*, enrolment: Enrolment) -> list[str]:
    """The key weak themes of the enrolment's submitted self-diagnosis (approfondie)."""
    return weak_theme_codes_by_enrolment([enrolment])[enrolment.pk]


@dataclass
class Suggestion:
    expert: Expert
    specialty_names: list[str]
    covers_territory: bool
    load: int
    reasons: list[str] = field(default_factory=list)
    #: consultants.outcomes.OutcomeFigures, set by the page for whoever designates
    outcomes: object | None = None


def consultant_suggestions(
    *, enrolment: Enrolment, weak_theme_codes=None, limit: int | None = 10
) -> list[Suggestion]:
    """Consultants who may take the enrolment, best first: specialty, territory, load.

    Excludes those not active, at capacity, or with a declared conflict of interest.
    One query for the ranking plus two prefetches, whatever the pool's size.
    """
    targeted = is_targeted(enrolment.offer)
    if weak_theme_codes is None and not targeted:  # ciblée ranks on its problem alone
        weak_theme_codes = diagnosis_weak_theme_codes(enrolment=enrolment)
    wanted = wanted_theme_codes(enrolment=enrolment, weak_theme_codes=weak_theme_codes)
    through_s = Expert.specialties.through
    through_d = Expert.departements.through
    ranked = (
        with_load(
            # an anonymised (deactivated) account is never proposed again
            Expert.objects.consultants().filter(
                accreditation=Expert.Accreditation.ACTIVE, user__is_active=True
            )
        )
        .annotate(
            specialty_hits=_count_subquery(
                through_s.objects.filter(theme__code__in=wanted), "expert"
            ),
            covers_territory=Exists(
                through_d.objects.filter(
                    expert=OuterRef("pk"), departement_id=enrolment.company.departement_id
                )
            ),
        )
        .filter(load__lt=F("capacity"))
        .exclude(Exists(Mission.objects.filter(consultant=OuterRef("pk"), enrolment=enrolment)))
        .exclude(
            Exists(
                ConflictOfInterest.objects.filter(
                    expert=OuterRef("pk"), company_id=enrolment.company_id
                )
            )
        )
        .select_related("user")
        .prefetch_related("specialties", "departements")
        .order_by("-specialty_hits", "-covers_territory", "load_ratio", "user__last_name", "pk")
    )
    if limit:
        ranked = ranked[:limit]
    dep = enrolment.company.departement
    suggestions = []
    for expert in ranked:
        names = [t.name for t in expert.specialties.all() if t.code in wanted]
        reasons = []
        if names:
            reasons.append(_("Spécialité : %(names)s") % {"names": ", ".join(names)})
        elif wanted:
            reasons.append(_("Aucune spécialité correspondante"))
        if expert.covers_territory:
            reasons.append(_("Couvre le département %(dep)s") % {"dep": dep})
        else:
            reasons.append(_("Hors territoire"))
        reasons.append(
            _("Charge : %(load)s mission(s) sur %(capacity)s")
            % {"load": expert.load, "capacity": expert.capacity}
        )
        suggestions.append(
            Suggestion(
                expert=expert,
                specialty_names=names,
                covers_territory=expert.covers_territory,
                load=expert.load,
                reasons=reasons,
            )
        )
    return suggestions


# --- the queue --------------------------------------------------------------------------


def assignment_queue(*, user) -> QuerySet:
    """Enrolments validated by their relay and waiting for a consultant, oldest first."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(state=EnrolmentState.VALIDATED)
        .select_related("company__relay", "offer", "problem_theme", "mission")
        .only(  # what a row of the queue shows (model instances of every column cost a third)
            "company__name",
            "company__departement",
            "company__relay__name",
            "offer__code",
            "offer__name",
            "problem_theme__name",
            "mission__enrolment",
            "validated_at",
            "state_changed_at",
        )
        .prefetch_related(
            Prefetch(
                "mission__assignments",
                queryset=Assignment.objects.select_related("consultant__user").order_by(
                    "-proposed_at"
                ),
            )
        )
        .order_by(Coalesce("validated_at", "state_changed_at"), "pk")
    )


# --- missions ---------------------------------------------------------------------------


def with_half_days(queryset: QuerySet) -> QuerySet:
    """Missions annotated with half-days used and allowed (tariff plus amendments), in SQL.

    Shared by the mission pages, the director's overview and the "behind schedule" reminder.
    """
    extra = (
        Mission.objects.filter(pk=OuterRef("pk"))
        .annotate(n=Sum("amendments__extra_half_days"))
        .values("n")
    )
    return queryset.annotate(
        half_days_used=_count_subquery(HalfDay.objects.all(), "mission"),
        extra_half_days=Coalesce(Subquery(extra, output_field=IntegerField()), Value(0)),
    ).annotate(
        half_days_allowed=Coalesce(F("enrolment__tariff__half_days"), Value(0))
        + F("extra_half_days")
    )


def missions_list(*, user) -> QuerySet:
    return with_half_days(
        Mission.objects.visible_to(user)
        .filter(consultant__isnull=False)
        .select_related(
            "enrolment__company__relay", "enrolment__offer", "enrolment__tariff", "consultant__user"
        )
        .order_by(F("closed_at").desc(nulls_first=True), "-start_date", "-pk")
    )


def pending_proposals_for(*, user) -> QuerySet:
    return (
        Assignment.objects.pending()
        .filter(consultant__user=user)
        .select_related(
            "mission__enrolment__company__departement",
            "mission__enrolment__offer",
            "mission__enrolment__problem_theme",
        )
        .order_by("proposed_at")
    )


def mission_workspace(*, user, pk: int) -> Mission:
    measurements = Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
    indicators = Prefetch("indicators", queryset=Indicator.objects.prefetch_related(measurements))
    plans = Prefetch(
        "action_plans",
        queryset=ActionPlan.objects.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner")), indicators
        ),
    )
    return get_visible_or_404(
        with_half_days(Mission.objects.all())
        .select_related(
            "enrolment__company__relay",
            "enrolment__company__departement",
            "enrolment__company__owner",
            "enrolment__offer",
            "enrolment__tariff",
            "enrolment__problem_theme",
            "consultant__user",
        )
        .prefetch_related(
            "half_days",
            "amendments",
            plans,
            Prefetch(
                "key_issues__action_plans", queryset=ActionPlan.objects.only("id", "key_issue_id")
            ),
            "enrolment__pilots",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("consultant__user", "proposed_by"),
            ),
        ),
        user,
        pk=pk,
    )


# --- director's overview ----------------------------------------------------------------


def month_starts(*, today: dt.date, months: int) -> list[dt.date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=n) for n in reversed(range(months))]


def schedule_gap(mission: Mission, *, today: dt.date) -> float | None:
    """Elapsed share of the planned duration minus the share of half-days used."""
    if not (mission.start_date and mission.planned_end_date) or not mission.half_days_allowed:
        return None
    total = (mission.planned_end_date - mission.start_date).days or 1
    elapsed = min(max((today - mission.start_date).days / total, 0.0), 1.0)
    used = mission.half_days_used / mission.half_days_allowed
    return elapsed - used


def director_overview(*, user, months: int = 6) -> dict:
    today = timezone.localdate()
    consultants = list(
        with_load(Expert.objects.visible_to(user).consultants())
        .select_related("user")
        .order_by("-load_ratio", "user__last_name", "pk")
    )
    starts = month_starts(today=today, months=months)
    rows = (
        HalfDay.objects.visible_to(user)
        .filter(date__gte=starts[0], mission__consultant__isnull=False)
        .annotate(month=TruncMonth("date"))
        .values("mission__consultant_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per = {(r["mission__consultant_id"], r["month"]): r["n"] for r in rows}
    for expert in consultants:
        expert.per_month = [per.get((expert.pk, m), 0) for m in starts]
        expert.half_days_period = sum(expert.per_month)
    active = missions_list(user=user).filter(closed_at__isnull=True)
    behind = []
    for mission in active:
        gap = schedule_gap(mission, today=today)
        if gap is not None and gap >= BEHIND_SCHEDULE_GAP:
            mission.schedule_gap = round(gap * 100)
            behind.append(mission)
    active_consultants = [c for c in consultants if c.accreditation == Expert.Accreditation.ACTIVE]
    return {
        "consultants": consultants,
        "months": starts,
        "behind": sorted(behind, key=lambda m: -m.schedule_gap),
        "queue_length": assignment_queue(user=user)
        .filter(~Q(mission__assignments__status=Assignment.Status.PROPOSED))
        .count(),
        "queue_total": assignment_queue(user=user).count(),
        "capacity_total": sum(c.capacity for c in active_consultants),
        "load_total": sum(c.load for c in active_consultants),
    }


def queue_length(*, user) -> int:
    return assignment_queue(user=user).count()


# --- audit trail (issue 9) ----------------------------------------------------------------


def mission_audit_history(*, mission: Mission, user) -> list:
    """Changes of a mission and of the proposals the user may see (a consultant: their own)."""

    return history_for(
        {
            "consultants.mission": Mission.objects.visible_to(user)
            .filter(pk=mission.pk)
            .values("pk"),
            "consultants.assignment": Assignment.objects.visible_to(user)
            .filter(mission_id=mission.pk)
            .values("pk"),
        }
    )


def expert_audit_history(*, expert: Expert, user) -> list:
    return history_for(
        {"consultants.expert": Expert.objects.visible_to(user).filter(pk=expert.pk).values("pk")}
    )
