"""The owner's satisfaction with each closed mission, and the outcome figures built on it.

When a mission closes (event `mission.closed`), a questionnaire is created for it (one per
mission) and its signed link is e-mailed to the owner (the shared mechanism of
`core.signed_links`, like the follow-ups). The link works once: tampered, expired, foreign
or already used links are refused with a French message.

The selectors compute, per consultant, relay or offer, in a fixed number of queries: missions
closed, mean satisfaction and number of answers, share of indicators that reached their
target, share of companies still progressing at the continuation follow-up (36 months).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Offer
from consultants.models import Indicator, Measurement, Mission
from consultants.outcomes import OutcomeFigures
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage, Relay
from core.roles import STAFF_ROLES, Role, has_role
from core.services import timeline_record
from core.signed_links import SignedLinkError, link_mail_to_owner, link_payload, link_token

from .models import CONSULTANT_CRITERIA, FollowUp, SatisfactionSurvey

TOKEN_SALT = "collective.satisfaction.link"
#: A second "resend" within this delay of the last sending sends nothing (a double click).
RESEND_GUARD = dt.timedelta(minutes=1)

# --- services ----------------------------------------------------------------------------


def survey_open(*, mission: Mission) -> SatisfactionSurvey | None:
    """The mission's questionnaire, created once when it is closed (None if not closed)."""
    if mission.closed_at is None or mission.consultant_id is None:
        return None
    survey, _created = SatisfactionSurvey.objects.get_or_create(mission=mission)
    return survey


def on_mission_closed(message: OutboxMessage) -> None:
    """Sync handler: the questionnaire exists as soon as the mission is closed."""
    mission = Mission.objects.filter(pk=message.payload.get("mission_id")).first()
    if mission is not None:
        survey_open(mission=mission)


def on_mission_closed_send(message: OutboxMessage) -> None:
    """Async handler (worker): e-mail the link once (idempotent: a sent survey is skipped)."""
    survey = SatisfactionSurvey.objects.filter(
        mission_id=message.payload.get("mission_id"), sent_at__isnull=True
    ).first()
    if survey is not None and survey.answered_at is None:
        try:
            survey_send(survey=survey)
        except BusinessRuleError:
            return  # no owner e-mail: the relay sees the survey unanswered


def survey_token(*, survey: SatisfactionSurvey) -> str:
    return link_token({"s": survey.pk, "c": survey.mission.enrolment.company_id}, salt=TOKEN_SALT)


def survey_url(*, survey: SatisfactionSurvey) -> str:
    path = reverse(
        "collective:satisfaction_answer",
        kwargs={"pk": survey.pk, "token": survey_token(survey=survey)},
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def survey_from_link(*, pk: int, token: str) -> SatisfactionSurvey:
    """The questionnaire a link opens, or SignedLinkError (tampered, expired, foreign, used)."""
    data = link_payload(
        token,
        salt=TOKEN_SALT,
        max_age_days=settings.SATISFACTION_LINK_MAX_AGE_DAYS,
        expired_message=_(
            "Ce lien vers le questionnaire de satisfaction a expiré. Demandez-en un nouveau "
            "à votre structure relais."
        ),
        tampered_message=_(
            "Ce lien vers le questionnaire de satisfaction n'est pas valide : il a été modifié "
            "ou copié incomplètement. Utilisez le lien exact reçu par e-mail."
        ),
    )
    survey = (
        SatisfactionSurvey.objects.select_related(
            "mission__enrolment__company__relay", "mission__consultant__user"
        )
        .filter(pk=pk)
        .first()
    )
    if (
        survey is None
        or data.get("s") != survey.pk
        or data.get("c") != survey.mission.enrolment.company_id
    ):
        raise SignedLinkError(
            _("Ce lien ne correspond pas à ce questionnaire : il ne vaut que pour votre mission."),
            reason="foreign",
        )
    if survey.answered_at is not None:
        raise SignedLinkError(
            _(
                "Ce questionnaire de satisfaction a déjà reçu une réponse le %(date)s : "
                "le lien ne sert qu'une fois. Merci !"
            )
            % {"date": timezone.localtime(survey.answered_at).strftime("%d/%m/%Y")},
            reason="used",
        )
    return survey


def survey_answer(
    *,
    survey: SatisfactionSurvey,
    score_listening: int,
    score_competence: int,
    score_method: int,
    score_results: int,
    score_programme: int,
    would_recommend: bool,
    comment: str = "",
) -> SatisfactionSurvey:
    """Record the owner's answer, once per mission."""
    scores = {
        "score_listening": score_listening,
        "score_competence": score_competence,
        "score_method": score_method,
        "score_results": score_results,
        "score_programme": score_programme,
    }
    for name, value in scores.items():
        if value not in (1, 2, 3, 4, 5):
            raise BusinessRuleError(_("Chaque note va de 1 à 5."), field=name)
    with transaction.atomic():
        locked = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
        if locked.answered_at is not None:
            raise BusinessRuleError(
                _("Ce questionnaire de satisfaction a déjà reçu une réponse. Merci !")
            )
        for name, value in scores.items():
            setattr(locked, name, value)
        locked.would_recommend = bool(would_recommend)
        locked.comment = comment.strip()
        locked.answered_at = timezone.now()
        locked.save()
        timeline_record(
            subject=locked.mission.enrolment,
            verb="satisfaction.answered",
            message=_("Questionnaire de satisfaction rempli."),
        )
    return locked


def survey_send(*, survey: SatisfactionSurvey, by=None, resent: bool = False) -> SatisfactionSurvey:
    """E-mail the owner a fresh signed link (its validity starts now)."""
    survey = SatisfactionSurvey.objects.select_related(
        "mission__enrolment__company__owner",
        "mission__enrolment__company__relay",
        "mission__consultant__user",
    ).get(pk=survey.pk)
    if survey.answered_at is not None:
        raise BusinessRuleError(_("Ce questionnaire a déjà reçu une réponse."))
    link_mail_to_owner(
        company=survey.mission.enrolment.company,
        templates="collective/satisfaction/email",
        context={
            "survey": survey,
            "consultant": survey.mission.consultant,
            "url": survey_url(survey=survey),
            "valid_days": settings.SATISFACTION_LINK_MAX_AGE_DAYS,
        },
    )
    survey.sent_at = timezone.now()
    survey.save(update_fields=["sent_at"])
    timeline_record(
        subject=survey.mission.enrolment,
        verb="satisfaction.resent" if resent else "satisfaction.sent",
        actor=by,
        message=_("Nouveau lien du questionnaire de satisfaction envoyé par le relais.")
        if resent
        else _("Lien du questionnaire de satisfaction envoyé."),
        internal=True,
    )
    return survey


def may_resend(*, survey: SatisfactionSurvey, user) -> bool:
    """Relay staff of the mission's relay, the director and administrators resend a link."""
    if not has_role(user, STAFF_ROLES) or survey.answered_at is not None:
        return False
    if user.is_superuser or user.role != Role.RELAY_STAFF:
        return True
    return survey.mission.enrolment.company.relay_id == user.relay_id


def survey_resend(*, survey: SatisfactionSurvey, by) -> bool:
    """Mail the owner a fresh link (the previous one expired or was lost); True if sent.

    A second call within RESEND_GUARD of the last sending sends nothing more (False): a
    double click, or two tabs, e-mail the owner once. The row is locked while deciding.
    """
    with transaction.atomic():
        locked = (
            SatisfactionSurvey.objects.select_for_update(of=("self",))
            .select_related("mission__enrolment__company")
            .get(pk=survey.pk)
        )
        if locked.answered_at is not None:
            raise BusinessRuleError(_("Ce questionnaire a déjà reçu une réponse."))
        if not may_resend(survey=locked, user=by):
            raise BusinessRuleError(
                _("Seuls le relais de la mission et le directeur de projet renvoient ce lien.")
            )
        if locked.sent_at is not None and timezone.now() - locked.sent_at < RESEND_GUARD:
            return False
        survey_send(survey=locked, by=by, resent=True)
    return True


def survey_link_state(survey: SatisfactionSurvey, *, now=None) -> str:
    """ "answered", "never_sent", "expired" or "valid": what the relay's list says of a link."""
    if survey.answered_at is not None:
        return "answered"
    if survey.sent_at is None:
        return "never_sent"
    now = now or timezone.now()
    if now - survey.sent_at > dt.timedelta(days=settings.SATISFACTION_LINK_MAX_AGE_DAYS):
        return "expired"
    return "valid"


def surveys_unanswered(*, user):
    """The unanswered questionnaires the user may see (the relay's follow-up page)."""
    return (
        SatisfactionSurvey.objects.visible_to(user)
        .filter(answered_at__isnull=True)
        .select_related("mission__enrolment__company__relay", "mission__consultant__user")
        .order_by("-created_at", "pk")
    )


# --- selectors: outcome figures ----------------------------------------------------------


def _mean(total, count: int, per_answer: int = 1) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count * per_answer)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _reached() -> Q:
    """The latest measurement is at or beyond the target, in the direction of progress."""
    up = Q(target__gte=F("baseline"), latest__gte=F("target"))
    down = Q(target__lt=F("baseline"), latest__lte=F("target"))
    return up | down


def outcome_figures(missions: QuerySet, *, key: str, on=None) -> dict:
    """{key value: OutcomeFigures} over the closed missions of `missions`, in four queries.

    `key` is a lookup from Mission ("consultant_id", "enrolment__company__relay_id",
    "enrolment__offer_id"). Continuation: the missions whose enrolment closed at least
    CONTINUATION_MONTHS months before `on`, and those whose follow-up at that delay answered
    "still running" (non-respondents count as not confirmed, as in the continuation rate).
    Indicators: those of the closed missions' plans; reached when the latest measurement is at
    or beyond the target (an indicator never measured is not reached).
    """
    on = on or timezone.localdate()
    months = settings.CONTINUATION_MONTHS
    cutoff = on - relativedelta(months=months)
    closed = missions.filter(closed_at__isnull=False)
    long_ago = Q(enrolment__closed_at__date__lte=cutoff)
    # one row per mission (one enrolment each), so no DISTINCT; the follow-ups apart
    mission_rows = {
        r[key]: r
        for r in closed.order_by()
        .values(key)
        .annotate(n=Count("pk"), long_ago=Count("pk", filter=long_ago))
    }
    progressing = {
        r["k"]: r["n"]
        for r in FollowUp.objects.filter(
            enrolment__mission__in=closed.filter(long_ago),
            due_months=months,  # one follow-up per enrolment and delay
            still_running=True,
        )
        .order_by()
        .values(k=F(f"enrolment__mission__{key}"))
        .annotate(n=Count("pk"))
    }
    criteria_sum = sum((F(name) for name in CONSULTANT_CRITERIA[1:]), F(CONSULTANT_CRITERIA[0]))
    answer_rows = {
        r["k"]: r
        for r in SatisfactionSurvey.objects.answered()
        .filter(mission__in=closed)
        .order_by()
        .values(k=F(f"mission__{key}"))
        .annotate(
            n=Count("pk"),
            criteria=Sum(criteria_sum),
            programme=Sum("score_programme"),
            recommend=Count("pk", filter=Q(would_recommend=True)),
        )
    }
    latest = (
        Measurement.objects.filter(indicator=OuterRef("pk"))
        .order_by("-date", "-pk")
        .values("value")[:1]
    )
    indicator_rows = {
        r["k"]: r
        for r in Indicator.objects.filter(plan__mission__in=closed)
        .annotate(latest=Subquery(latest))
        .order_by()
        .values(k=F(f"plan__mission__{key}"))
        .annotate(n=Count("pk"), reached=Count("pk", filter=_reached()))
    }
    result = {}
    for k, m in mission_rows.items():
        a = answer_rows.get(k, {})
        i = indicator_rows.get(k, {})
        answers = a.get("n", 0)
        result[k] = OutcomeFigures(
            missions_closed=m["n"],
            answers=answers,
            satisfaction_mean=_mean(a.get("criteria"), answers, len(CONSULTANT_CRITERIA)),
            programme_mean=_mean(a.get("programme"), answers),
            recommend_yes=a.get("recommend", 0),
            indicators=i.get("n", 0),
            indicators_reached=i.get("reached", 0),
            closed_long_ago=m["long_ago"],
            still_progressing=progressing.get(k, 0),
        )
    return result


def consultant_outcomes(expert_ids, *, on=None) -> dict[int, OutcomeFigures]:
    """Per consultant, over all their closed missions (the provider of consultants.outcomes).

    The pages decide who sees them (direction, and whoever designates consultants)."""
    return outcome_figures(
        Mission.objects.filter(consultant_id__in=list(expert_ids)), key="consultant_id", on=on
    )


def relay_outcomes(*, user, on=None) -> list[tuple[Relay, OutcomeFigures]]:
    """Per relay, over the closed missions the user may see (the Region's dashboard)."""
    figures = outcome_figures(
        Mission.objects.visible_to(user), key="enrolment__company__relay_id", on=on
    )
    relays = Relay.objects.filter(pk__in=[k for k in figures if k is not None]).order_by("name")
    return [(relay, figures[relay.pk]) for relay in relays]


def offer_outcomes(*, user, on=None) -> list[tuple[Offer, OutcomeFigures]]:
    """Per offer, over the closed missions the user may see (the Region's dashboard)."""
    figures = outcome_figures(Mission.objects.visible_to(user), key="enrolment__offer_id", on=on)
    offers = Offer.objects.filter(pk__in=[k for k in figures if k is not None]).order_by("name")
    return [(offer, figures[offer.pk]) for offer in offers]
