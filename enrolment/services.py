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


#: A company's identity is frozen once the relay has validated one of its enrolments.
IDENTITY_LOCKED_STATES = frozenset(
    {
        EnrolmentState.VALIDATED,
        EnrolmentState.CONSULTANT_ASSIGNED,
        EnrolmentState.AGREEMENT_SIGNED,
        EnrolmentState.IN_PROGRESS,
        EnrolmentState.CLOSED,
    }
)
COMPANY_IDENTITY_FIELDS = (
    "name",
    "naf_code",
    "headcount",
    "turnover",
    "balance_sheet_total",
    "address",
    "postcode",
    "city",
)


def company_update_identity(*, company, by, **changes):
    """Change a company's identity fields: its owner (or an administrator), before validation.

    Raises BusinessRuleError (French, with the field when one is at fault).
    """
    from django.core.exceptions import ValidationError

    from core.roles import Role

    unknown = set(changes) - set(COMPANY_IDENTITY_FIELDS)
    if unknown:
        raise BusinessRuleError(_("Ce champ ne peut pas être modifié."), field=sorted(unknown)[0])
    is_admin = by.is_superuser or by.role == Role.ADMIN
    if not is_admin and not (by.role == Role.OWNER and company.owner_id == by.pk):
        raise BusinessRuleError(_("Seul le chef d'entreprise peut modifier ces informations."))
    with transaction.atomic():
        locked = type(company).objects.select_for_update().get(pk=company.pk)
        if not is_admin and locked.enrolments.filter(state__in=IDENTITY_LOCKED_STATES).exists():
            raise BusinessRuleError(
                _(
                    "L'inscription a été validée par la structure relais : l'identité de "
                    "l'entreprise ne peut plus être modifiée. Contactez votre chargé de mission."
                )
            )
        before = {f: getattr(locked, f) for f in changes}
        for attr, value in changes.items():
            setattr(locked, attr, value)
        try:
            locked.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise BusinessRuleError(
                messages[0], field=None if field == "__all__" else field
            ) from exc
        changed = [f for f in changes if before[f] != getattr(locked, f)]
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            timeline_record(
                subject=locked,
                verb="identity_updated",
                actor=by,
                data={"fields": changed},
            )
    company.refresh_from_db()
    return company
