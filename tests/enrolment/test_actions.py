"""Every workflow action, through every entry point (service, API, page), for every role.

For each action and each entry point, one enrolment is built at the action's source state;
then, on that same enrolment:

1. every role the action does not allow is refused (a French message, or 403/404 before the
   action is reached), and nothing changes;
2. the allowed role, with the action's precondition left unmet, is refused with the French
   message of the action's guard, and nothing changes;
3. the allowed role, with the precondition met, moves the enrolment to the action's target.

"Nothing changes" is the enrolment's state and version, the number of ledger entries, of
outbox messages and of timeline events (`Trace`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from zeal import zeal_ignore

from agreements import services as agreement_services
from catalogue.models import Offer
from consultants import services as consultant_services
from consultants.models import Assignment, Mission
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage, Relay, TimelineEvent
from core.roles import Role
from diagnostics.models import Diagnosis, Question, Theme
from diagnostics.services import diagnosis_start
from enrolment import actions
from enrolment.actions import ACTIONS
from enrolment.models import (
    SYSTEM,
    Company,
    Enrolment,
    EnrolmentState,
    StateChangeOutsideAction,
    state_writer,
)
from funding.models import JournalEntry
from tests.builders import (
    a_consultant,
    advance,
    enrolment_at,
    issue_agreement,
    pilot,
    signed_copy,
    submitted_diagnosis,
)
from tests.conftest import OTPClient
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
S = EnrolmentState
ENTRY_POINTS = ("service", "api", "page")


# --- what "nothing changed" means --------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    state: str
    version: int
    ledger: int
    outbox: int
    timeline: int


def trace(enrolment: Enrolment) -> Trace:
    enrolment.refresh_from_db()
    return Trace(
        enrolment.state,
        enrolment.version,
        JournalEntry.objects.count(),
        OutboxMessage.objects.count(),
        TimelineEvent.objects.filter(object_id=enrolment.pk).count(),
    )


# --- the world of one case ----------------------------------------------------------------


@dataclass
class World:
    enrolment: Enrolment
    users: dict  # role -> user acting on this enrolment (owner of it, staff of its relay...)
    extra: dict = field(default_factory=dict)


def _world(enrolment: Enrolment, **extra) -> World:
    relay = enrolment.company.relay
    users = {
        Role.OWNER: enrolment.company.owner,
        Role.RELAY_STAFF: UserFactory(role=Role.RELAY_STAFF, relay=relay),
        Role.CONSULTANT: UserFactory(role=Role.CONSULTANT),
        Role.TRAINER: UserFactory(role=Role.TRAINER),
        Role.DIRECTOR: UserFactory(director=True),
        Role.REGION: UserFactory(region=True),
        Role.ADMIN: UserFactory(admin=True),
    }
    mission = Mission.objects.filter(enrolment=enrolment).select_related("consultant").first()
    if mission is not None and mission.consultant is not None:
        users[Role.CONSULTANT] = mission.consultant.user
    return World(enrolment, users, extra)


# --- one case per action: source, allowed role, precondition unmet / met per entry point ---


@dataclass
class Case:
    name: str
    source: Callable[[], World]
    allowed: str  # the role that succeeds
    #: entry point -> callable(world, user, met: bool) -> refusal message or None
    run: dict[str, Callable]
    #: what a refusal of the unmet precondition says (a fragment of the French message)
    unmet_message: str
    #: set-up before an attempt (entry point, precondition met?), outside the trace compared
    prepare: Callable[[World, str, bool], None] | None = None


def _service(fn):
    def run(world: World, user, met: bool):
        try:
            fn(world, user, met)
        except BusinessRuleError as exc:
            return exc.message
        except PermissionDenied:
            return "PermissionDenied"
        return None

    return run


def _api(name: str, payload: Callable[[World, bool], dict], fmt: str = "json"):
    def run(world: World, user, met: bool):
        client = APIClient()
        client.force_authenticate(user)
        url = f"/api/v1/enrolments/{world.enrolment.pk}/actions/{name}/"
        response = client.post(url, payload(world, met), format=fmt)
        if response.status_code == 200:
            return None
        if response.status_code in (403, 404):
            return f"HTTP {response.status_code}"
        assert response.status_code == 400, response.content
        return " ".join(str(m) for msgs in response.json().values() for m in msgs)

    return run


def _page(request: Callable[[World, object, bool], tuple[str, dict]]):
    """A POST on the page; the refusal is the page's error (message, field error) or 403/404."""

    def run(world: World, user, met: bool):
        client = OTPClient()  # staff roles pass the second step, as in the portal
        client.force_login(user)
        url, data = request(world, user, met)
        before = world.enrolment.state
        response = client.post(url, data)
        if response.status_code in (403, 404):
            return f"HTTP {response.status_code}"
        world.enrolment.refresh_from_db()
        if world.enrolment.state != before:
            return None
        shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
        return shown + " " + html.unescape(response.content.decode())

    return run


def _version(world: World, met: bool) -> int:
    world.enrolment.refresh_from_db()
    return world.enrolment.version if met else world.enrolment.version - 1


# submit: the company's identity must be complete


def _submit_source() -> World:
    enrolment = enrolment_at(S.DRAFT)
    Company.objects.filter(pk=enrolment.company_id).update(address="")
    return _world(enrolment)


def _identity(world: World, met: bool) -> None:
    Company.objects.filter(pk=world.enrolment.company_id).update(
        address="1 rue de l'Industrie" if met else ""
    )


def _submit_service(world, user, met):
    _identity(world, met)
    actions.submit(enrolment=world.enrolment, by=user)


def _submit_api(world, met):
    _identity(world, met)
    return {}


def _submit_page(world, user, met):
    """The journey's company step saves the identity and submits at once."""
    company = world.enrolment.company
    world.enrolment.refresh_from_db()
    data = {
        "version": world.enrolment.version,
        "name": company.name,
        "naf_code": company.naf_code,
        "headcount": company.headcount,
        "turnover": "3000000",
        "address": "1 rue de l'Industrie" if met else "",
        "postcode": company.postcode,
        "city": company.city,
    }
    return reverse("enrolment:company", args=[world.enrolment.pk]), data


# evaluate eligibility: a request left at "submitted" (before submissions evaluated at once)


def _legacy_submitted() -> World:
    with state_writer():  # the data an earlier version of the portal left behind
        enrolment = EnrolmentFactory(state=S.SUBMITTED)
    return _world(enrolment)


# derogate: a written justification


def _ineligible() -> World:
    return _world(enrolment_at(S.INELIGIBLE, naf_code="49.41A"))


def _justification(met: bool) -> str:
    return "Sous-traitant exclusif de l'industrie : dossier vu en comité." if met else "  "


def _derogate_page(world, user, met):
    url = reverse("enrolment:staff_action", args=[world.enrolment.pk, "override"])
    return url, {"version": world.enrolment.version, "justification": _justification(met)}


# diagnose: a submitted enrolment diagnosis


def _eligible() -> World:
    return _world(enrolment_at(S.ELIGIBLE))


def _diagnosis(world: World, met: bool) -> None:
    submitted = Diagnosis.objects.filter(enrolment=world.enrolment, state=Diagnosis.State.SUBMITTED)
    if not met:
        submitted.delete()
    elif not submitted.exists():
        submitted_diagnosis(world.enrolment)


def _draft_diagnosis(world: World, entry: str, met: bool) -> None:
    if entry == "page" and "diagnosis" not in world.extra:
        world.extra["diagnosis"] = diagnosis_start(
            company=world.enrolment.company,
            by=world.enrolment.company.owner,
            enrolment=world.enrolment,
        )


def _diagnose_page(world, user, met):
    diagnosis = world.extra["diagnosis"]
    answers = (
        {
            f"q-{code}": "2"
            for code in Question.objects.filter(
                questionnaire_id=diagnosis.questionnaire_id
            ).values_list("code", flat=True)
        }
        if met
        else {}
    )
    return reverse("diagnostics:take", args=[diagnosis.pk]), {"action": "submit", **answers}


# choose the offer: a ciblée names its problem


def _diagnosed() -> World:
    return _world(enrolment_at(S.DIAGNOSED))


def _choose_service(world, user, met):
    actions.choose_offer(
        enrolment=world.enrolment,
        by=user,
        offer=Offer.objects.get(code="ciblee"),
        pilots=[pilot(1)],
        problem_theme=Theme.objects.get(code="stocks") if met else None,
    )


def _choose_api(world, met):
    return {"offer": "ciblee", "pilots": [pilot(1)], "problem_theme": "stocks" if met else None}


def _choose_page(world, user, met):
    """The offer page keeps the choice; the check page sends it (the `choose_offer` action)."""
    from django.test import Client

    world.enrolment.refresh_from_db()
    data = {
        "version": world.enrolment.version,
        "offer": Offer.objects.get(code="ciblee").pk,
        "problem_theme": Theme.objects.get(code="stocks").pk if met else "",
        **{f"pilot1-{k}": v for k, v in pilot(1).items()},
    }
    if not met:
        return reverse("enrolment:offer", args=[world.enrolment.pk]), data
    if user == world.enrolment.company.owner:
        saving = Client()
        saving.force_login(user)
        saving.post(reverse("enrolment:offer", args=[world.enrolment.pk]), data)
        world.enrolment.refresh_from_db()
    return reverse("enrolment:review", args=[world.enrolment.pk]), {
        "version": world.enrolment.version
    }


# validate: the version the relay read is still the enrolment's (no stale tab)


def _offer_chosen() -> World:
    return _world(enrolment_at(S.OFFER_CHOSEN))


def _validate_page(world, user, met):
    url = reverse("enrolment:staff_action", args=[world.enrolment.pk, "validate"])
    return url, {"version": _version(world, met)}


# send back: a comment for the company


def _comment(met: bool) -> str:
    return "Le second pilote doit être salarié de l'entreprise." if met else ""


def _send_back_page(world, user, met):
    url = reverse("enrolment:staff_action", args=[world.enrolment.pk, "send_back"])
    return url, {"version": world.enrolment.version, "comment": _comment(met)}


# assign the consultant: the designated consultant accepted


def _validated() -> World:
    world = _world(enrolment_at(S.VALIDATED))
    world.extra["consultant"] = a_consultant()
    world.users[Role.CONSULTANT] = world.extra["consultant"].user
    return world


def _proposal(world: World) -> Assignment:
    return world.extra["assignment"]


def _propose(world: World, entry: str, met: bool) -> None:
    """The director's proposal (for the page, and once the precondition is to be met)."""
    if (met or entry == "page") and "assignment" not in world.extra:
        world.extra["assignment"] = consultant_services.consultant_assign(
            enrolment=world.enrolment,
            consultant=world.extra["consultant"],
            by=world.users[Role.DIRECTOR],
        )


def _assign_service(world, user, met):
    if met:
        consultant_services.assignment_accept(assignment=_proposal(world), by=user)
    else:
        actions.assign_consultant(enrolment=world.enrolment, by=user)


def _assign_api(world, met):
    return {}


def _assign_page(world, user, met):
    assignment = _proposal(world)
    if not met:
        return reverse("consultants:proposal_answer", args=[assignment.pk, "decline"]), {}
    return reverse("consultants:proposal_answer", args=[assignment.pk, "accept"]), {}


# accept the agreement (owner) / sign it (relay's signed copy): the current version


def _assigned() -> World:
    return _world(enrolment_at(S.CONSULTANT_ASSIGNED))


def _agreement(world: World):
    if "agreement" not in world.extra:
        world.extra["agreement"] = issue_agreement(world.enrolment)
    return world.extra["agreement"]


def _accept_service(world, user, met):
    _agreement(world)
    if met:
        agreement_services.agreement_accept(agreement=_agreement(world), by=user, ip_address=None)
    else:
        actions.accept_agreement(enrolment=world.enrolment, by=user)


def _accept_api(world, met):
    agreement = _agreement(world)
    return {"version": agreement.version, "accept": met}


def _accept_page(world, user, met):
    agreement = _agreement(world)
    data = {"version": agreement.version, **({"accept": "1"} if met else {})}
    return reverse("agreements:agreement_accept", args=[world.enrolment.pk]), data


def _sign_service(world, user, met):
    _agreement(world)
    if met:
        agreement_services.agreement_upload_signed(
            agreement=_agreement(world), by=user, uploaded=signed_copy()
        )
    else:
        actions.sign_agreement(enrolment=world.enrolment, by=user)


def _sign_api(world, met):
    _agreement(world)
    return {"file": signed_copy()} if met else {}


def _sign_page(world, user, met):
    _agreement(world)
    data = {"file": signed_copy()} if met else {}
    return reverse("agreements:agreement_upload", args=[world.enrolment.pk]), data


# start: the first half-day, or the mission's start date


def _signed() -> World:
    world = _world(enrolment_at(S.AGREEMENT_SIGNED))
    mission = Mission.objects.get(enrolment=world.enrolment)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Mission.objects.filter(pk=mission.pk).update(start_date=tomorrow)
    world.extra["mission"] = mission
    return world


def _start_date(world: World, met: bool) -> None:
    day = timezone.localdate() + dt.timedelta(days=0 if met else 1)
    Mission.objects.filter(pk=world.extra["mission"].pk).update(start_date=day)


def _start_service(world, user, met):
    _start_date(world, met)
    actions.start(enrolment=world.enrolment, by=user)


def _start_api(world, met):
    _start_date(world, met)
    return {}


def _start_page(world, user, met):
    """The consultant logs the first half-day (today; refused before the start date)."""
    _start_date(world, met)
    url = reverse("consultants:mission_action", args=[world.extra["mission"].pk, "halfday"])
    return url, {
        "halfday-date": timezone.localdate().isoformat(),
        "halfday-subject": "Lancement",
        "halfday-attendees": "Direction",
    }


# close: the closing summary is written


def _in_progress() -> World:
    world = _world(enrolment_at(S.IN_PROGRESS))
    world.extra["mission"] = Mission.objects.select_related("consultant__user").get(
        enrolment=world.enrolment
    )
    return world


def _summary(world: World, met: bool) -> None:
    Mission.objects.filter(pk=world.extra["mission"].pk).update(
        closing_summary="Objectifs atteints." if met else ""
    )


def _close_service(world, user, met):
    _summary(world, met)
    consultant_services.mission_close(mission=world.extra["mission"], by=user)


def _close_api(world, met):
    _summary(world, met)
    return {}


def _close_page(world, user, met):
    _summary(world, met)
    return reverse("consultants:mission_action", args=[world.extra["mission"].pk, "close"]), {}


# withdraw: a reason


def _reason(met: bool) -> str:
    return "Rachat de l'entreprise par un groupe." if met else ""


def _withdraw_page(world, user, met):
    url = reverse("enrolment:staff_action", args=[world.enrolment.pk, "withdraw"])
    return url, {"version": world.enrolment.version, "reason": _reason(met)}


CASES = {
    c.name: c
    for c in [
        Case(
            "submit",
            _submit_source,
            Role.OWNER,
            {
                "service": _service(_submit_service),
                "api": _api("submit", _submit_api),
                "page": _page(_submit_page),
            },
            "Complétez l'identité de l'entreprise",
        ),
        Case(
            "evaluate_eligibility",
            _legacy_submitted,
            Role.RELAY_STAFF,
            {
                "service": _service(
                    lambda w, u, met: actions.evaluate_eligibility(enrolment=w.enrolment, by=u)
                ),
                "api": _api("evaluate-eligibility", lambda w, met: {}),
            },
            "",  # no precondition beyond the state and the role
        ),
        Case(
            "derogate",
            _ineligible,
            Role.RELAY_STAFF,
            {
                "service": _service(
                    lambda w, u, met: actions.derogate(
                        enrolment=w.enrolment, by=u, justification=_justification(met)
                    )
                ),
                "api": _api("derogate", lambda w, met: {"justification": _justification(met)}),
                "page": _page(_derogate_page),
            },
            "Une dérogation doit être justifiée par écrit.",
        ),
        Case(
            "diagnose",
            _eligible,
            Role.OWNER,
            {
                "service": _service(
                    lambda w, u, met: (
                        _diagnosis(w, met),
                        actions.diagnose(enrolment=w.enrolment, by=u),
                    )
                ),
                "api": _api("diagnose", lambda w, met: _diagnosis(w, met) or {}),
                "page": _page(_diagnose_page),
            },
            "",  # set per entry point below (the page refuses an incomplete diagnosis)
            prepare=_draft_diagnosis,
        ),
        Case(
            "choose_offer",
            _diagnosed,
            Role.OWNER,
            {
                "service": _service(_choose_service),
                "api": _api("choose-offer", _choose_api),
                "page": _page(_choose_page),
            },
            "Choisissez le problème à traiter",
        ),
        Case(
            "validate",
            _offer_chosen,
            Role.RELAY_STAFF,
            {
                "service": _service(
                    lambda w, u, met: actions.validate(
                        enrolment=w.enrolment, by=u, expected_version=_version(w, met)
                    )
                ),
                "api": _api("validate", lambda w, met: {"version": _version(w, met)}),
                "page": _page(_validate_page),
            },
            "Cette inscription a été modifiée entre-temps",
        ),
        Case(
            "send_back",
            _offer_chosen,
            Role.RELAY_STAFF,
            {
                "service": _service(
                    lambda w, u, met: actions.send_back(
                        enrolment=w.enrolment, by=u, comment=_comment(met)
                    )
                ),
                "api": _api("send-back", lambda w, met: {"comment": _comment(met)}),
                "page": _page(_send_back_page),
            },
            "Expliquez à l'entreprise ce qu'elle doit revoir.",
        ),
        Case(
            "assign_consultant",
            _validated,
            Role.CONSULTANT,
            {
                "service": _service(_assign_service),
                "api": _api("assign-consultant", _assign_api),
                "page": _page(_assign_page),
            },
            "Aucun consultant n'a encore accepté cette mission.",
            prepare=_propose,
        ),
        Case(
            "accept_agreement",
            _assigned,
            Role.OWNER,
            {
                "service": _service(_accept_service),
                "api": _api("accept-agreement", _accept_api),
                "page": _page(_accept_page),
            },
            "",  # set per entry point below
        ),
        Case(
            "sign_agreement",
            _assigned,
            Role.RELAY_STAFF,
            {
                "service": _service(_sign_service),
                "api": _api("sign-agreement", _sign_api, fmt="multipart"),
                "page": _page(_sign_page),
            },
            "",  # set per entry point below
        ),
        Case(
            "start",
            _signed,
            Role.RELAY_STAFF,
            {
                "service": _service(_start_service),
                "api": _api("start", _start_api),
                "page": _page(_start_page),
            },
            "",  # set per entry point below
        ),
        Case(
            "close",
            _in_progress,
            Role.RELAY_STAFF,
            {
                "service": _service(_close_service),
                "api": _api("close", _close_api),
                "page": _page(_close_page),
            },
            "Le consultant doit d'abord rédiger la synthèse de clôture.",
        ),
        Case(
            "withdraw",
            _offer_chosen,
            Role.OWNER,
            {
                "service": _service(
                    lambda w, u, met: actions.withdraw(
                        enrolment=w.enrolment, by=u, reason=_reason(met)
                    )
                ),
                "api": _api("withdraw", lambda w, met: {"reason": _reason(met)}),
                "page": _page(_withdraw_page),
            },
            "Indiquez le motif de l'abandon.",
        ),
    ]
}
#: The refusal of an unmet precondition, where it differs by entry point.
UNMET = {
    ("submit", "page"): "Ce champ est obligatoire.",  # the company step's form, at the field
    ("diagnose", "service"): "Soumettez d'abord l'autodiagnostic de l'entreprise.",
    ("diagnose", "api"): "Soumettez d'abord l'autodiagnostic de l'entreprise.",
    ("diagnose", "page"): "Répondez à toutes les questions avant de soumettre",
    ("accept_agreement", "service"): "La convention n'est pas acceptée",
    ("accept_agreement", "api"): "Cochez la case d'acceptation de la version affichée",
    ("accept_agreement", "page"): "Cochez la case d'acceptation de la version affichée",
    ("sign_agreement", "service"): "Déposez d'abord la copie signée",
    ("sign_agreement", "api"): "Déposez d'abord la copie signée",
    ("sign_agreement", "page"): "Ce champ est obligatoire.",
    ("start", "service"): "La mission n'a pas commencé",
    ("start", "api"): "La mission n'a pas commencé",
    ("start", "page"): "La date ne peut pas précéder le début de la mission",
    ("assign_consultant", "page"): "Indiquez le motif du refus.",
}
#: Page entry points a role reaches differently (the page is not theirs to post).
PAGE_ROLE = {
    # the page's own user: the staff page is the relay's, the half-day page the consultant's
    ("withdraw", "page"): Role.RELAY_STAFF,
    ("start", "page"): Role.CONSULTANT,
    # the consultant sees the enrolment in the API once the mission is theirs: the director
    # accepts on their behalf there
    ("assign_consultant", "api"): Role.DIRECTOR,
}

PARAMS = [(name, entry) for name, case in CASES.items() for entry in case.run]


def test_every_action_has_a_case_and_an_api_endpoint():
    assert set(CASES) == set(actions.ACTIONS)
    for name, case in CASES.items():
        assert "service" in case.run and "api" in case.run, name


@pytest.mark.parametrize(("name", "entry"), PARAMS, ids=[f"{n}-{e}" for n, e in PARAMS])
def test_action_by_entry_point_refuses_and_changes_nothing_then_the_allowed_role_succeeds(
    name, entry
):
    case = CASES[name]
    spec = actions.ACTIONS[name]
    run = case.run[entry]
    with zeal_ignore():
        world = case.source()
    allowed = PAGE_ROLE.get((name, entry), case.allowed)
    start = trace(world.enrolment)

    def attempt(user, met: bool):
        if case.prepare is not None:
            case.prepare(world, entry, met)
        before = trace(world.enrolment)
        refusal = run(world, user, met)
        if refusal:
            assert trace(world.enrolment) == before, f"{user.role} / {entry}: changé"
        return refusal

    with zeal_ignore():
        # 1. the allowed role, precondition unmet: the guard's French message, nothing changed
        expected = UNMET.get((name, entry), case.unmet_message)
        if expected:
            refusal = attempt(world.users[allowed], False)
            assert refusal and expected in refusal, refusal

        # 2. every role the action does not allow: refused, nothing changed
        for role, user in world.users.items():
            if role in spec.roles or role == allowed:
                continue
            refusal = attempt(user, True)
            assert refusal, f"{role} a pu « {name} » par {entry}"
            if not refusal.startswith(("HTTP", "PermissionDenied")):
                assert any(w in refusal for w in ("autorisé", "Seul", "Aucun")), (role, refusal)

        # 3. precondition met: the action happens
        assert attempt(world.users[allowed], True) is None
    world.enrolment.refresh_from_db()
    # a submission goes on with the portal's eligibility evaluation
    targets = ACTIONS["evaluate_eligibility"].targets if name == "submit" else spec.targets
    assert world.enrolment.state in targets
    assert world.enrolment.version > start.version


# --- the three refusals the issue names -----------------------------------------------------


def _api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_owner_self_signature_through_the_api_is_refused():
    """consultant_assigned → agreement_signed with no agreement accepted, no signature."""
    with zeal_ignore():
        enrolment = enrolment_at(S.CONSULTANT_ASSIGNED)
    owner = enrolment.company.owner
    before = trace(enrolment)
    client = _api_client(owner)
    base = f"/api/v1/enrolments/{enrolment.pk}"
    # no agreement issued yet
    refused = client.post(f"{base}/actions/accept-agreement/", {"accept": True}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["Aucune convention n'a encore été émise pour cette inscription."]
    }
    # an agreement issued, but not accepted (the box unticked, or another version)
    with zeal_ignore():
        agreement = issue_agreement(enrolment)
    for payload in ({"version": agreement.version}, {"version": 99, "accept": True}):
        refused = client.post(f"{base}/actions/accept-agreement/", payload, format="json")
        assert refused.status_code == 400
        assert "Cochez la case d'acceptation" in refused.json()["non_field_errors"][0]
    # the relay's signed-copy action is not the owner's; the free target state is gone
    assert client.post(f"{base}/actions/sign-agreement/", {}).status_code == 403
    assert client.post(f"{base}/transition/", {"to": "agreement_signed"}).status_code == 404
    # the action itself, called directly, refuses without the owner's acceptance
    with pytest.raises(BusinessRuleError, match="La convention n'est pas acceptée"):
        actions.accept_agreement(enrolment=enrolment, by=owner)
    after = trace(enrolment)
    assert after.state == S.CONSULTANT_ASSIGNED
    assert (after.ledger, after.outbox, after.timeline) == (
        before.ledger,
        before.outbox,
        before.timeline,
    )
    assert not enrolment.agreements.filter(status="signed").exists()


def test_relay_derogation_without_justification_is_refused_through_the_api():
    with zeal_ignore():
        enrolment = enrolment_at(S.INELIGIBLE, naf_code="49.41A")
        staff = UserFactory(staff=True, relay=enrolment.company.relay)
    before = trace(enrolment)
    client = _api_client(staff)
    url = f"/api/v1/enrolments/{enrolment.pk}/actions/derogate/"
    for payload in ({}, {"justification": "   "}):
        refused = client.post(url, payload, format="json")
        assert refused.status_code == 400
        assert refused.json() == {
            "justification": ["Une dérogation doit être justifiée par écrit."]
        }
        assert trace(enrolment) == before
    accepted = client.post(url, {"justification": "Sous-traitant de l'industrie."}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "eligible"
    enrolment.refresh_from_db()
    assert enrolment.eligibility_override == "Sous-traitant de l'industrie."


def test_api_submission_evaluates_eligibility_and_cannot_skip_it():
    with zeal_ignore():
        ineligible = enrolment_at(S.DRAFT, naf_code="49.41A")  # transport: not industry
        eligible = enrolment_at(S.DRAFT)
    for enrolment, state in ((ineligible, "ineligible"), (eligible, "eligible")):
        with zeal_ignore():  # two owners, one after the other
            client = _api_client(enrolment.company.owner)
        response = client.post(f"/api/v1/enrolments/{enrolment.pk}/actions/submit/", {})
        assert response.status_code == 200, response.content
        assert response.json()["state"] == state
        enrolment.refresh_from_db()
        assert [r["rule"] for r in enrolment.eligibility] == ["sme", "territory", "industry"]
        assert enrolment.submitted_at is not None
    assert not all(r["ok"] for r in ineligible.eligibility)
    # the owner cannot make the ineligible request eligible: no free state, no derogation
    client = _api_client(ineligible.company.owner)
    base = f"/api/v1/enrolments/{ineligible.pk}"
    assert client.post(f"{base}/actions/derogate/", {"justification": "x"}).status_code == 403
    assert client.post(f"{base}/actions/evaluate-eligibility/", {}).status_code == 403
    assert client.post(f"{base}/transition/", {"to": "eligible"}).status_code == 404
    ineligible.refresh_from_db()
    assert ineligible.state == S.INELIGIBLE


# --- nothing else changes the state -----------------------------------------------------------


def test_the_state_changes_only_through_an_action():
    with zeal_ignore():
        enrolment = enrolment_at(S.DRAFT)
    enrolment.state = S.VALIDATED
    with pytest.raises(StateChangeOutsideAction):
        enrolment.save()
    with pytest.raises(StateChangeOutsideAction):
        Enrolment.objects.filter(pk=enrolment.pk).update(state=S.VALIDATED)
    with pytest.raises(StateChangeOutsideAction):
        EnrolmentFactory(state=S.CLOSED)
    enrolment.refresh_from_db()
    assert enrolment.state == S.DRAFT
    enrolment.difficulty = "Retards de livraison"
    enrolment.save()  # other fields save as usual


def test_the_table_names_who_may_act_and_the_portal_acts_only_where_allowed():
    system_actions = {n for n, a in actions.ACTIONS.items() if SYSTEM in a.roles}
    assert system_actions == {"evaluate_eligibility", "diagnose", "start"}
    assert all(Role.REGION not in a.roles for a in actions.ACTIONS.values())
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
    with pytest.raises(BusinessRuleError, match="Vous n'êtes pas autorisé"):
        actions.validate(enrolment=enrolment, by=None)
    with zeal_ignore():
        elsewhere = Relay.objects.exclude(pk=enrolment.company.relay_id).first()
        other_relay = UserFactory(role=Role.RELAY_STAFF, relay=elsewhere)
    with pytest.raises(BusinessRuleError, match="Vous n'êtes pas autorisé"):
        actions.validate(enrolment=enrolment, by=other_relay)


def test_allowed_actions_are_listed_by_the_api():
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
        staff = UserFactory(staff=True, relay=enrolment.company.relay)
    body = _api_client(staff).get(f"/api/v1/enrolments/{enrolment.pk}/").json()
    assert body["allowed_actions"] == ["validate", "send-back", "withdraw"]
    owner = _api_client(enrolment.company.owner).get(f"/api/v1/enrolments/{enrolment.pk}/")
    assert owner.json()["allowed_actions"] == ["withdraw"]


def test_a_missing_fact_check_refuses_the_action(monkeypatch):
    """An action whose higher-layer fact has no registered check fails closed."""
    with zeal_ignore():
        enrolment = enrolment_at(S.IN_PROGRESS)
        staff = UserFactory(staff=True, relay=enrolment.company.relay)
    monkeypatch.delitem(actions._facts, "closing_report_done")
    with pytest.raises(BusinessRuleError, match="n'est pas vérifiable"):
        actions.close(enrolment=enrolment, by=staff)


@pytest.mark.parametrize("state", [s for s in S if s != S.SUBMITTED])  # every resting state
def test_the_builders_reach_every_resting_state_through_the_actions(state):
    company = {"headcount": 400} if state == S.INELIGIBLE else {}  # not an SME
    with zeal_ignore():
        enrolment = enrolment_at(state, **company)
    assert enrolment.state == state  # through the actions: nothing else may change a state


def test_the_builders_withdraw_from_where_they_are_asked():
    with zeal_ignore():
        advance(enrolment_at(S.OFFER_CHOSEN), S.WITHDRAWN)
