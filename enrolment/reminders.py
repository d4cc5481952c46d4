"""Reminder rules about enrolments (core.reminders engine), and helpers for other apps' rules.

Each rule reads its due dates from the database; the engine records each
reminder once (unique row) and writes it to the enrolment's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.reminders import DueItem, ReminderRule, register_rule
from core.roles import Role

from .models import Enrolment, EnrolmentState

S = EnrolmentState


def relay_staff_by_relay(relay_ids: set[int]) -> dict[int, list[User]]:
    staff: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.RELAY_STAFF, relay_id__in=relay_ids, is_active=True
    ).order_by("pk"):
        staff[user.relay_id].append(user)
    return staff


class DiagnosisDraftRule(ReminderRule):
    """Eligible for 7 days without a submitted self-diagnosis (the diagnosis is still a draft).

    Counted from eligibility: an eligible enrolment moves to `diagnosed` when its
    diagnosis is submitted, so one still `eligible` has no submitted diagnosis.
    """

    code = "diagnosis_draft"
    label = _("Autodiagnostic non terminé 7 jours après l'éligibilité")
    subject = _("Performance PME : votre autodiagnostic vous attend")
    default_delay_days = 7

    def paragraphs(self, context: dict) -> list[str]:
        return [
            gettext(
                "L'inscription de %(company)s au programme est éligible depuis une semaine, mais "
                "l'autodiagnostic n'est pas encore terminé. Il vous faut une vingtaine de minutes "
                "pour le compléter ; vos réponses déjà saisies sont conservées."
            )
            % {"company": context["company"].name}
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        enrolments = Enrolment.objects.filter(
            state=S.ELIGIBLE,
            company__owner__isnull=False,
            state_changed_at__date__lte=today - delay,
            state_changed_at__date__gte=since - delay,
        ).select_related("company__owner")
        if objects is not None:
            enrolments = enrolments.filter(pk__in=objects)
        for e in enrolments.iterator(chunk_size=500):
            due = timezone.localdate(e.state_changed_at) + delay
            yield DueItem(
                obj=e,
                recipient=e.company.owner,
                due_date=due,
                timeline_subject=e,
                context={"enrolment": e, "company": e.company},
            )


def register() -> None:
    register_rule(DiagnosisDraftRule())
