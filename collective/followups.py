"""Follow-up after closing (6, 12 and 36 months by default) and the three-year continuation rate.

The owner answers through a signed, expiring link (no account): the token
carries the follow-up and its company, signed with a timestamp; the page
refuses a tampered, expired, foreign or not-yet-due link with a French message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from core.services import timeline_record
from core.signed_links import SignedLinkError, link_mail_to_owner, link_payload, link_token
from enrolment.models import Enrolment, EnrolmentState

from .models import FollowUp

TOKEN_SALT = "enrolment.followup.link"


class FollowUpStatus:
    NOT_DUE = "not_due"
    AWAITING = "awaiting"
    OVERDUE = "overdue"
    ANSWERED = "answered"

    LABELS = {
        NOT_DUE: "À venir",
        AWAITING: "En attente de réponse",
        OVERDUE: "En retard",
        ANSWERED: "Répondu",
    }


# --- services ----------------------------------------------------------------------------


def followups_schedule(*, enrolment: Enrolment) -> list[FollowUp]:
    """Create the follow-ups of a closed enrolment (idempotent: one per delay)."""
    if enrolment.closed_at is None:
        raise BusinessRuleError(_("Le suivi ne se planifie qu'après la clôture de la mission."))
    closed_on = timezone.localtime(enrolment.closed_at).date()
    existing = {f.due_months: f for f in FollowUp.objects.filter(enrolment=enrolment)}
    missing = [
        FollowUp(enrolment=enrolment, due_months=m, due_on=closed_on + relativedelta(months=m))
        for m in settings.FOLLOW_UP_MONTHS
        if m not in existing
    ]
    FollowUp.objects.bulk_create(missing, ignore_conflicts=True)
    for followup in existing.values():
        due_on = closed_on + relativedelta(months=followup.due_months)
        if followup.answered_at is None and followup.due_on != due_on:
            followup.due_on = due_on
            followup.save(update_fields=["due_on"])
    rows = list(FollowUp.objects.filter(enrolment=enrolment).order_by("due_months"))
    return rows


def on_enrolment_closed(message: OutboxMessage) -> None:
    enrolment = Enrolment.objects.filter(pk=message.payload.get("enrolment_id")).first()
    if enrolment is not None and enrolment.closed_at is not None:
        followups_schedule(enrolment=enrolment)


def followup_token(*, followup: FollowUp) -> str:
    """A signed token (with its timestamp) naming the follow-up and its company."""
    return link_token({"f": followup.pk, "c": followup.enrolment.company_id}, salt=TOKEN_SALT)


def followup_url(*, followup: FollowUp) -> str:
    path = reverse(
        "collective:followup_answer",
        kwargs={"pk": followup.pk, "token": followup_token(followup=followup)},
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


#: A follow-up link that cannot be used (the shared signed-link error; `reason` says why).
FollowUpLinkError = SignedLinkError


def followup_from_link(*, pk: int, token: str, today: dt.date | None = None) -> FollowUp:
    """The follow-up a link opens, or FollowUpLinkError (tampered, expired, foreign, not yet due)."""
    data = link_payload(
        token,
        salt=TOKEN_SALT,
        max_age_days=settings.FOLLOW_UP_LINK_MAX_AGE_DAYS,
        expired_message=_(
            "Ce lien de suivi a expiré. Demandez-en un nouveau à votre structure relais : "
            "elle peut vous le renvoyer en un clic."
        ),
        tampered_message=_(
            "Ce lien de suivi n'est pas valide : il a été modifié ou copié incomplètement. "
            "Utilisez le lien exact reçu par e-mail."
        ),
    )
    followup = (
        FollowUp.objects.select_related("enrolment__company__relay", "enrolment__offer")
        .filter(pk=pk)
        .first()
    )
    if (
        followup is None
        or data.get("f") != followup.pk
        or data.get("c") != followup.enrolment.company_id
    ):
        raise FollowUpLinkError(
            _("Ce lien ne correspond pas à ce suivi : il ne vaut que pour votre entreprise."),
            reason="foreign",
        )
    today = today or timezone.localdate()
    if followup.due_on > today:
        raise FollowUpLinkError(
            _("Ce questionnaire de suivi n'est pas encore ouvert : il le sera le %(date)s.")
            % {"date": followup.due_on.strftime("%d/%m/%Y")},
            reason="not_due",
        )
    return followup


def followup_indicators(*, followup: FollowUp) -> list[dict]:
    """The mission's indicators (name, unit, latest value at closing), to pre-fill the form.

    Reached through the enrolment's relations: the mission lives downstream (consultants).
    A fixed number of queries: mission, plans, indicators, measurements.
    """
    mission = getattr(followup.enrolment, "mission", None)
    if mission is None:
        return []
    # measurements are ordered by date in their model's Meta
    plans = mission.action_plans.order_by("created_at", "pk").prefetch_related(
        "indicators__measurements"
    )
    rows = []
    for plan in plans:
        for indicator in plan.indicators.all():
            measurements = list(indicator.measurements.all())
            rows.append(
                {
                    "id": indicator.pk,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "baseline": indicator.baseline,
                    "target": indicator.target,
                    "last": measurements[-1].value if measurements else None,
                }
            )
    return rows


def followup_answer(
    *,
    followup: FollowUp,
    still_running: bool,
    indicators_tracked: str = "",
    latest_values: str = "",
    comment: str = "",
    indicator_values: list[dict] | None = None,
) -> FollowUp:
    """Record the owner's answer (once); `indicator_values`: [{indicator, unit, value}]."""
    values = []
    for row in indicator_values or []:
        if row.get("value") in (None, ""):
            continue
        values.append(
            {
                "indicator": str(row["indicator"]),
                "unit": str(row.get("unit", "")),
                "value": str(Decimal(str(row["value"])).quantize(Decimal("0.01"))),
            }
        )
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if locked.answered_at is not None:
            raise BusinessRuleError(_("Ce questionnaire de suivi a déjà reçu une réponse. Merci !"))
        if locked.due_on > timezone.localdate():
            raise BusinessRuleError(_("Ce questionnaire de suivi n'est pas encore ouvert."))
        locked.still_running = still_running
        locked.indicators_tracked = indicators_tracked.strip()
        locked.latest_values = latest_values.strip()
        locked.comment = comment.strip()
        locked.indicator_values = values
        locked.answered_at = timezone.now()
        locked.save(
            update_fields=[
                "still_running",
                "indicators_tracked",
                "latest_values",
                "indicator_values",
                "comment",
                "answered_at",
            ]
        )
        timeline_record(
            subject=locked.enrolment,
            verb="followup.answered",
            message=_("Suivi à %(months)s mois : %(answer)s")
            % {
                "months": locked.due_months,
                "answer": _("démarche poursuivie") if still_running else _("démarche arrêtée"),
            },
        )
    return locked


def followup_send(*, followup: FollowUp, by=None) -> FollowUp:
    """E-mail the owner a fresh signed link (its validity starts now)."""
    followup = FollowUp.objects.select_related(
        "enrolment__company__owner", "enrolment__company__relay"
    ).get(pk=followup.pk)
    if followup.answered_at is not None:
        raise BusinessRuleError(_("Ce suivi a déjà reçu une réponse."))
    if followup.due_on > timezone.localdate():
        raise BusinessRuleError(
            _("Ce suivi n'est dû que le %(date)s.") % {"date": followup.due_on.strftime("%d/%m/%Y")}
        )
    link_mail_to_owner(
        company=followup.enrolment.company,
        templates="collective/followups/email",
        context={
            "followup": followup,
            "url": followup_url(followup=followup),
            "valid_days": settings.FOLLOW_UP_LINK_MAX_AGE_DAYS,
        },
    )
    followup.sent_at = timezone.now()
    followup.save(update_fields=["sent_at"])
    timeline_record(
        subject=followup.enrolment,
        verb="followup.sent",
        actor=by,
        message=_("Lien du suivi à %(months)s mois envoyé.") % {"months": followup.due_months},
        internal=True,
    )
    return followup


def followups_send_due(*, today: dt.date | None = None) -> int:
    """Send the links of follow-ups that fell due and were never sent (periodic task)."""
    today = today or timezone.localdate()
    sent = 0
    pending = FollowUp.objects.filter(
        due_on__lte=today, sent_at__isnull=True, answered_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(pending):
        try:
            followup_send(followup=FollowUp(pk=pk))
        except BusinessRuleError:
            continue
        sent += 1
    return sent


# --- selectors ---------------------------------------------------------------------------


def followup_status(followup: FollowUp, *, today: dt.date) -> str:
    if followup.answered_at is not None:
        return FollowUpStatus.ANSWERED
    if followup.due_on > today:
        return FollowUpStatus.NOT_DUE
    if followup.due_on < today - dt.timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS):
        return FollowUpStatus.OVERDUE
    return FollowUpStatus.AWAITING


def followups_for_user(*, user, status: str | None = None, today: dt.date | None = None):
    """Follow-ups the user may see, filtered by status, with what the list shows."""
    today = today or timezone.localdate()
    overdue_before = today - dt.timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS)
    qs = FollowUp.objects.visible_to(user).select_related(
        "enrolment__company__relay", "enrolment__company__owner", "enrolment__offer"
    )
    unanswered = Q(answered_at__isnull=True)
    filters = {
        FollowUpStatus.ANSWERED: Q(answered_at__isnull=False),
        FollowUpStatus.NOT_DUE: unanswered & Q(due_on__gt=today),
        FollowUpStatus.OVERDUE: unanswered & Q(due_on__lt=overdue_before),
        FollowUpStatus.AWAITING: unanswered & Q(due_on__lte=today, due_on__gte=overdue_before),
    }
    if status in filters:
        qs = qs.filter(filters[status])
    return qs.order_by("due_on", "enrolment__company__name")


def followup_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    overdue_before = today - dt.timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS)
    unanswered = Q(answered_at__isnull=True)
    return FollowUp.objects.visible_to(user).aggregate(
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        not_due=Count("pk", filter=unanswered & Q(due_on__gt=today)),
        overdue=Count("pk", filter=unanswered & Q(due_on__lt=overdue_before)),
        awaiting=Count("pk", filter=unanswered & Q(due_on__lte=today, due_on__gte=overdue_before)),
    )


@dataclass(frozen=True)
class ContinuationRow:
    relay: str
    offer: str
    closed: int
    answered: int
    carrying_on: int

    @property
    def rate(self) -> Decimal | None:
        """Share (%) of the companies closed long enough ago that say they still carry on."""
        if not self.closed:
            return None
        return (Decimal(self.carrying_on) * 100 / Decimal(self.closed)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def continuation_rate(*, user, on: dt.date | None = None) -> dict:
    """The three-year continuation rate, by relay and offer, plus the total.

    Denominator: the enrolments (visible to the user) closed at least
    CONTINUATION_MONTHS months before `on`; numerator: those whose follow-up at
    that delay answered "still running". Non-respondents count as not confirmed
    (shown apart in `answered`).
    """
    on = on or timezone.localdate()
    months = settings.CONTINUATION_MONTHS
    cutoff = on - relativedelta(months=months)
    at_delay = Q(followups__due_months=months)
    rows = (
        Enrolment.objects.visible_to(user)
        .filter(state=EnrolmentState.CLOSED, closed_at__date__lte=cutoff)
        .values("company__relay__name", "offer__name")
        .annotate(
            closed=Count("pk", distinct=True),
            answered=Count(
                "followups",
                filter=at_delay & Q(followups__answered_at__isnull=False),
                distinct=True,
            ),
            carrying_on=Count(
                "followups", filter=at_delay & Q(followups__still_running=True), distinct=True
            ),
        )
        .order_by("company__relay__name", "offer__name")
    )
    result = [
        ContinuationRow(
            relay=r["company__relay__name"] or "—",
            offer=r["offer__name"] or "—",
            closed=r["closed"],
            answered=r["answered"],
            carrying_on=r["carrying_on"],
        )
        for r in rows
    ]
    total = ContinuationRow(
        relay=_("Total"),
        offer="",
        closed=sum(r.closed for r in result),
        answered=sum(r.answered for r in result),
        carrying_on=sum(r.carrying_on for r in result),
    )
    return {"rows": result, "total": total, "months": months, "cutoff": cutoff}
