"""Bring an enrolment to any state the way the product does: every step is a workflow action.

`Enrolment.state` cannot be set by hand (`enrolment.models.state_writer`), so every test that
needs an enrolment further on than a draft builds it here, step by step, through the same
functions the pages and the API call: `submit` (eligibility evaluated), `diagnose` (after a
submitted diagnosis), `choose_offer`, `validate`, the consultant's acceptance, the agreement's
acceptance by the owner, `start`, the closing summary and `close`, `withdraw`.

Only data the journey does not decide is made directly: the company, the submitted diagnosis's
answers, and the agreement's PDF (a tiny stand-in: rendering is tested in tests/agreements).
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from zeal import zeal_ignore

from agreements import services as agreement_services
from agreements.models import Agreement
from catalogue.models import Offer
from consultants import services as consultant_services
from consultants.models import Expert, Mission
from core.models import User
from core.roles import Role
from diagnostics.models import Diagnosis, Questionnaire, Theme
from enrolment import actions
from enrolment.models import Enrolment, EnrolmentState
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

S = EnrolmentState
#: The happy path, in order.
PATH = [
    S.DRAFT,
    S.ELIGIBLE,
    S.DIAGNOSED,
    S.OFFER_CHOSEN,
    S.VALIDATED,
    S.CONSULTANT_ASSIGNED,
    S.AGREEMENT_SIGNED,
    S.IN_PROGRESS,
    S.CLOSED,
]


def one_page_pdf() -> bytes:
    """A real one-page PDF (the signed-copy upload parses what it receives)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = one_page_pdf()


def signed_copy(name: str = "copie-signee.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pilot(position: int, enrolment_pk: int | None = None) -> dict:
    return {
        "first_name": ["Karim", "Émilie"][(position - 1) % 2],
        "last_name": f"Pilote{position}",
        "job_title": "Responsable de production",
        "email": f"pilote{position}.{enrolment_pk or 0}@test.example",
    }


def relay_staff_for(enrolment: Enrolment):
    """The relay's first staff member, created when the relay has none (reminders, mail and
    timelines then name the same person whatever step the builder takes)."""
    relay = enrolment.company.relay
    existing = User.objects.filter(role=Role.RELAY_STAFF, relay=relay).order_by("pk").first()
    return existing or UserFactory(role=Role.RELAY_STAFF, relay=relay)


def a_consultant(**extra) -> Expert:
    extra.setdefault("half_day_rate", Decimal("805.00"))
    extra.setdefault("capacity", 10)
    return Expert.objects.create(
        user=UserFactory(role=Role.CONSULTANT), kind=Expert.Kind.CONSULTANT, **extra
    )


def submitted_diagnosis(enrolment: Enrolment, *, focus: str = "stocks") -> Diagnosis:
    """The company's enrolment diagnosis, submitted (answers and scoring are tested elsewhere):
    every theme at 60 %, none weak (a test that needs weak themes submits its own, later)."""
    return Diagnosis.objects.create(
        company=enrolment.company,
        enrolment=enrolment,
        questionnaire=Questionnaire.objects.filter(is_active=True).first(),
        state=Diagnosis.State.SUBMITTED,
        theme_scores=dict.fromkeys(Theme.objects.values_list("code", flat=True), "60.0"),
        overall_score=Decimal("60.0"),
        recommendation={"offer": "ciblee", "reasons": [], "focus_theme": focus},
        submitted_at=timezone.now(),
    )


def issue_agreement(enrolment: Enrolment) -> Agreement:
    """The current agreement version, with a stand-in PDF (no rendering)."""
    latest = enrolment.agreements.order_by("-version").first()
    agreement = Agreement(
        enrolment=enrolment,
        version=(latest.version + 1) if latest else 1,
        sha256=hashlib.sha256(PDF).hexdigest(),
        content_hash=f"test-{enrolment.pk}-{timezone.now().timestamp()}",
        size=len(PDF),
    )
    agreement.file.save("convention.pdf", ContentFile(PDF), save=False)
    agreement.save()
    return agreement


def step(enrolment: Enrolment, to: str, *, ctx: dict) -> None:
    """One step of the happy path, from the state before `to`."""
    owner = enrolment.company.owner
    if to == S.ELIGIBLE:
        actions.submit(enrolment=enrolment, by=owner)
        if enrolment.state == S.INELIGIBLE:
            actions.derogate(
                enrolment=enrolment, by=ctx["staff"], justification="Dérogation (test)."
            )
    elif to == S.DIAGNOSED:
        submitted_diagnosis(enrolment, focus=ctx.get("theme") or "stocks")
        actions.diagnose(enrolment=enrolment, by=owner)
    elif to == S.OFFER_CHOSEN:
        offer = Offer.objects.get(code=ctx["offer"])
        theme = Theme.objects.get(code=ctx.get("theme") or "stocks")
        actions.choose_offer(
            enrolment=enrolment,
            by=owner,
            offer=offer,
            pilots=[pilot(i, enrolment.pk) for i in range(1, actions.pilots_needed(offer) + 1)],
            problem_theme=theme if offer.code == "ciblee" else None,
        )
    elif to == S.VALIDATED:
        actions.validate(enrolment=enrolment, by=ctx["staff"])
    elif to == S.CONSULTANT_ASSIGNED:
        consultant = ctx.get("consultant") or a_consultant()
        director = ctx.get("director") or UserFactory(director=True)
        assignment = consultant_services.consultant_assign(
            enrolment=enrolment, consultant=consultant, by=director
        )
        consultant_services.assignment_accept(assignment=assignment, by=consultant.user)
    elif to == S.AGREEMENT_SIGNED:
        agreement_services.agreement_accept(
            agreement=issue_agreement(enrolment), by=owner, ip_address="127.0.0.1"
        )
    elif to == S.IN_PROGRESS:
        actions.start(enrolment=enrolment, by=None)  # the mission's start date has come
    elif to == S.CLOSED:
        mission = Mission.objects.select_related("consultant__user").get(enrolment=enrolment)
        consultant_services.mission_write_summary(
            mission=mission, by=mission.consultant.user, summary="Objectifs atteints."
        )
        consultant_services.mission_close(mission=mission, by=ctx["staff"])
    enrolment.refresh_from_db()


def advance(enrolment: Enrolment, state: str, **ctx) -> Enrolment:
    """Take `enrolment` from where it is to `state` along the happy path (or withdraw it)."""
    with zeal_ignore():  # set-up, not the behaviour under test
        enrolment.refresh_from_db()
        ctx.setdefault("offer", "ciblee")
        if ctx.get("staff") is None:
            ctx["staff"] = relay_staff_for(enrolment)
        if state in {S.WITHDRAWN, S.INELIGIBLE}:
            stop = ctx.pop("withdraw_after", S.DIAGNOSED) if state == S.WITHDRAWN else S.DRAFT
        else:
            stop = state
        here = PATH.index(enrolment.state) if enrolment.state in PATH else 0
        for to in PATH[here + 1 : PATH.index(stop) + 1]:
            step(enrolment, to, ctx=ctx)
        if state == S.INELIGIBLE:
            actions.submit(enrolment=enrolment, by=enrolment.company.owner)
        if state == S.WITHDRAWN:
            actions.withdraw(
                enrolment=enrolment, by=enrolment.company.owner, reason="Trop de charge."
            )
        enrolment.refresh_from_db()
        return enrolment


def enrolment_at(
    state: str,
    *,
    company=None,
    offer: str = "ciblee",
    theme: str | None = "stocks",
    staff=None,
    consultant: Expert | None = None,
    director=None,
    withdraw_after: str = S.DIAGNOSED,
    **company_kwargs,
) -> Enrolment:
    """A new enrolment (of `company`, else a new eligible one) brought to `state`."""
    with zeal_ignore():
        if company is None:
            company_kwargs.setdefault("turnover", Decimal("3000000.00"))
            company = CompanyFactory(**company_kwargs)
        enrolment = EnrolmentFactory(company=company)
    ctx = {
        "offer": offer,
        "theme": theme,
        "staff": staff,
        "consultant": consultant,
        "director": director,
    }
    if state == S.WITHDRAWN:
        ctx["withdraw_after"] = withdraw_after
    return advance(enrolment, state, **ctx)
