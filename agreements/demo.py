"""Demo signatures: each demo journey past the consultant's acceptance signs its agreement.

Runs between `consultants.demo.seed_missions` (the consultant accepted) and
`consultants.demo.seed_mission_work` (half-days, closing): the agreement is rendered as the
worker would, then accepted by the owner or, for one company in four, signed on paper and
deposited by the relay — the two ways the `accept_agreement` / `sign_agreement` actions allow.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import User
from core.roles import Role
from enrolment.models import Enrolment, EnrolmentState

from .services import agreement_accept, agreement_ensure_current, agreement_upload_signed

S = EnrolmentState
SIGNED_TARGETS = {S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED}


def seed_signatures(ctx: dict) -> None:
    journeys = ctx.get("journeys", {})
    enrolments = (
        Enrolment.objects.filter(pk__in=list(journeys), state=S.CONSULTANT_ASSIGNED)
        .select_related("company__owner")
        .order_by("pk")
    )
    for n, enrolment in enumerate(enrolments):
        journey = journeys[enrolment.pk]
        if journey["stop"] not in SIGNED_TARGETS:
            continue
        agreement = agreement_ensure_current(enrolment_id=enrolment.pk)
        if n % 4 == 3:
            staff = User.objects.filter(
                role=Role.RELAY_STAFF, relay_id=enrolment.company.relay_id
            ).first()
            with agreement.file.open("rb") as handle:
                scanned = SimpleUploadedFile("convention-signee.pdf", handle.read())
            agreement_upload_signed(agreement=agreement, by=staff, uploaded=scanned)
        else:
            agreement_accept(agreement=agreement, by=enrolment.company.owner, ip_address=None)
