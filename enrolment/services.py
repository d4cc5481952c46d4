"""Writes on enrolments: every change of state goes through `enrolment_transition`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.outbox import outbox_publish
from core.services import timeline_record

from .models import SYSTEM, TRANSITIONS, Enrolment, EnrolmentState

_TIMESTAMPS = {
    EnrolmentState.SUBMITTED: "submitted_at",
    EnrolmentState.VALIDATED: "validated_at",
    EnrolmentState.AGREEMENT_SIGNED: "signed_at",
    EnrolmentState.CLOSED: "closed_at",
    EnrolmentState.WITHDRAWN: "withdrawn_at",
}


def enrolment_transition(
    *, enrolment: Enrolment, to: str, by=None, reason: str = "", internal: bool = False
) -> Enrolment:
    """Move an enrolment to state `to` if the table allows it for `by` (None = the portal).

    Locks the row, records the change in the timeline and publishes
    `enrolment.<to>` to the outbox, all in one transaction.
    """
    role = SYSTEM if by is None else by.role
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        current = locked.state
        allowed = TRANSITIONS.get((current, to))
        if allowed is None:
            raise BusinessRuleError(
                _("Impossible de passer de l'état « %(frm)s » à l'état « %(to)s ».")
                % {
                    "frm": EnrolmentState(current).label,
                    "to": EnrolmentState(to).label,
                }
            )
        if role not in allowed and not (by is not None and by.is_superuser):
            raise BusinessRuleError(_("Vous n'êtes pas autorisé à effectuer ce changement d'état."))
        if to == EnrolmentState.WITHDRAWN and not reason.strip():
            raise BusinessRuleError(_("Indiquez le motif de l'abandon."), field="reason")
        now = timezone.now()
        locked.state = to
        locked.state_changed_at = now
        locked.version += 1
        update = ["state", "state_changed_at", "version", "updated_at"]
        if to in _TIMESTAMPS:
            setattr(locked, _TIMESTAMPS[to], now)
            update.append(_TIMESTAMPS[to])
        if to == EnrolmentState.WITHDRAWN:
            locked.withdrawal_reason = reason
            update.append("withdrawal_reason")
        locked.save(update_fields=update)
        timeline_record(
            subject=locked,
            verb="transition",
            actor=by,
            message=reason,
            from_state=current,
            to_state=to,
            internal=internal,
        )
        outbox_publish(
            kind=f"enrolment.{to}",
            key=f"enrolment:{locked.pk}:{to}:v{locked.version}",
            payload={"enrolment_id": locked.pk, "from": current, "to": to},
        )
    enrolment.refresh_from_db()
    return enrolment
