"""Reminder rule about agreements left unsigned (core.reminders engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.reminders import DueItem, ReminderRule, long_date, register_rule
from enrolment.models import EnrolmentState

from .models import Agreement

S = EnrolmentState


class AgreementUnsignedRule(ReminderRule):
    """The current agreement version is still unsigned 14 days after it was issued."""

    code = "agreement_unsigned"
    label = _("Convention non signée 14 jours après son émission")
    subject = _("Performance PME : votre convention est en attente de signature")
    optional = False
    default_delay_days = 14

    def paragraphs(self, context: dict) -> list[str]:
        agreement = context["agreement"]
        return [
            gettext(
                "La convention d'accompagnement de %(company)s (version %(v)s, émise le %(d)s) "
                "attend toujours votre signature. Vous pouvez l'accepter en ligne depuis le "
                "portail ou remettre une copie signée à votre structure relais."
            )
            % {
                "company": context["company"].name,
                "v": agreement.version,
                "d": long_date(agreement.created_at),
            }
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        agreements = Agreement.objects.filter(
            status=Agreement.Status.ISSUED,
            enrolment__state__in=[S.VALIDATED, S.CONSULTANT_ASSIGNED],
            enrolment__company__owner__isnull=False,
            created_at__date__lte=today - delay,
            created_at__date__gte=since - delay,
        ).select_related("enrolment__company__owner")
        if objects is not None:
            agreements = agreements.filter(pk__in=objects)
        for a in agreements.iterator(chunk_size=500):
            e = a.enrolment
            yield DueItem(
                obj=a,
                recipient=e.company.owner,
                due_date=timezone.localdate(a.created_at) + delay,
                timeline_subject=e,
                context={"enrolment": e, "company": e.company, "agreement": a},
            )


def register() -> None:
    register_rule(AgreementUnsignedRule())
