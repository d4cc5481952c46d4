"""Reminder rule about the Region's aid instalments left unpaid (core.reminders engine).

"Overdue" is funding's own notion: `AidInstalment.objects.overdue()` — due (or approved)
`REMINDER_DELAYS["payment_overdue"]` days ago or more and not marked paid by a Region
payment (`funding.services.aid_instalments_settle`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import format_eur
from core.reminders import DueItem, ReminderRule, long_date, register_rule
from enrolment.reminders import relay_staff_by_relay

from .models import INSTALMENT_OVERDUE_DAYS, AidInstalment


class PaymentOverdueRule(ReminderRule):
    """An instalment of regional aid is still unpaid N days after it fell due: relay staff chase."""

    code = "payment_overdue"
    label = _("Paiement en retard (aide régionale)")
    subject = _("Performance PME : versement de la Région en retard pour {company.name}")
    optional = False  # the relay's cash depends on it
    default_delay_days = INSTALMENT_OVERDUE_DAYS

    def paragraphs(self, context: dict) -> list[str]:
        instalment = context["instalment"]
        return [
            gettext(
                "L'échéance « %(kind)s » de l'aide régionale pour %(company)s (%(amount)s), "
                "exigible le %(d)s, n'est toujours pas versée par la Région %(days)s jours plus "
                "tard."
            )
            % {
                "kind": instalment.get_kind_display(),
                "amount": format_eur(instalment.amount),
                "company": context["company"].name,
                "d": long_date(instalment.due_on),
                "days": context["days"],
            },
            gettext(
                "Vérifiez qu'elle a bien été approuvée, puis relancez la Région ou enregistrez le "
                "versement reçu."
            ),
        ]

    def due(
        self, *, today: dt.date, since: dt.date, objects: Collection[int] | None = None
    ) -> Iterable[DueItem]:
        delay = dt.timedelta(days=self.delay_days)
        overdue = AidInstalment.objects.overdue(today=today, days=self.delay_days).filter(
            due_on__gte=since - delay
        )
        if objects is not None:
            overdue = overdue.filter(pk__in=objects)
        relay_ids = overdue.order_by().values_list("relay_id", flat=True).distinct()
        staff = relay_staff_by_relay(set(relay_ids))
        instalments = overdue.select_related("enrolment__company", "relay")
        for instalment in instalments.iterator(chunk_size=500):
            enrolment = instalment.enrolment
            for user in staff.get(instalment.relay_id, []):
                yield DueItem(
                    obj=instalment,
                    recipient=user,
                    due_date=instalment.due_on + delay,
                    timeline_subject=enrolment,
                    context={
                        "enrolment": enrolment,
                        "company": enrolment.company,
                        "instalment": instalment,
                        "days": self.delay_days,
                    },
                )


def register() -> None:
    register_rule(PaymentOverdueRule())
