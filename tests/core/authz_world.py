"""The fixture world of the authorization matrix: two of everything, one on each side.

Side A ("own") is the users' side: the owner of the A companies, the Afpi relay staff, the
consultant of the A mission, the trainer of the A session. Side B ("foreign") is another
company, another relay (Thésame), another consultant's mission, another trainer's session.
Director, Region and administrator see everything (both sides).

Everything is made through the product's services where it is cheap (transitions, assignment,
groups, seminars, training); documents are tiny stand-in PDFs (no rendering).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.models import Agreement, AgreementBatch
from agreements.services import agreement_upload_signed
from api.services import api_token_create
from collective import groups as group_services
from collective.followups import followup_token
from collective.models import FollowUp, NetworkConsent, SatisfactionSurvey
from collective.satisfaction import survey_token
from consultants import services as consultant_services
from consultants import training as training_services
from consultants.models import ActionPlan, Expert, Indicator, Measurement, TrainingModule
from core.models import Departement, OutboxMessage, Relay
from core.roles import Role
from diagnostics.models import Diagnosis, Questionnaire, Theme
from enrolment.models import EnrolmentState, ExportJob
from enrolment.thread import message_post
from funding.models import Account, JournalEntry
from tests.builders import advance, issue_agreement, signed_copy
from tests.factories import EnrolmentFactory, UserFactory
from tests.groups.factories import company_in, enrolment_at

S = EnrolmentState

#: Every role of the matrix, anonymous first.
ROLES = (
    "anonymous",
    Role.OWNER.value,
    Role.RELAY_STAFF.value,
    Role.CONSULTANT.value,
    Role.TRAINER.value,
    Role.DIRECTOR.value,
    Role.REGION.value,
    Role.ADMIN.value,
)
LOGGED_IN = ROLES[1:]
#: The foreign company's name: no page shown to a side-A user may contain it.
FOREIGN_MARKER = "Zeta Forge Etrangere"
PDF = b"%PDF-1.4\n% authorization matrix stand-in\n%%EOF\n"


@dataclass
class Obj:
    """URL kwargs of one object kind: the own one (per role, else `own`) and the foreign one."""

    own: dict
    foreign: dict
    own_by_role: dict = field(default_factory=dict)
    foreign_by_role: dict = field(default_factory=dict)

    def kwargs(self, role: str, side: str) -> dict:
        if side == "own":
            return self.own_by_role.get(role, self.own)
        return self.foreign_by_role.get(role, self.foreign)


@dataclass
class World:
    users: dict  # role -> User (side A)
    users_b: dict  # role -> User (side B), for the roles that have a side
    tokens: dict  # role -> raw API token (side A users)
    objects: dict  # kind -> Obj


def _pdf(name: str) -> ContentFile:
    return ContentFile(PDF, name=name)


def _agreement(enrolment, signer) -> Agreement:
    """A stand-in agreement version, signed on paper and deposited by the relay."""
    agreement = issue_agreement(enrolment)
    agreement_upload_signed(agreement=agreement, by=signer, uploaded=signed_copy("copie.pdf"))
    agreement.refresh_from_db()
    return agreement


def _side(letter: str, dep: str, relay: Relay, director, name: str) -> dict:
    """One side: an owner with an in-progress approfondie mission (consultant, trainer, plan,
    diagnosis, agreement, group, seminar, follow-up, training), plus a draft, a diagnosed and a
    validated-and-proposed enrolment."""
    owner = UserFactory(owner=True, email=f"owner-{letter}@matrix.test")
    staff = UserFactory(staff=True, relay=relay, email=f"staff-{letter}@matrix.test")
    consultant = Expert.objects.create(
        user=UserFactory(consultant=True, email=f"consultant-{letter}@matrix.test"),
        kind=Expert.Kind.CONSULTANT,
        half_day_rate=Decimal("805.00"),
        capacity=10,
    )
    trainer = Expert.objects.create(
        user=UserFactory(trainer=True, email=f"trainer-{letter}@matrix.test"),
        kind=Expert.Kind.TRAINER,
    )
    # the main enrolment: validated, assigned, accepted, signed, in progress
    main = enrolment_at(
        S.VALIDATED, departement=dep, offer="approfondie", staff=staff, owner=owner, name=name
    )
    assignment = consultant_services.consultant_assign(
        enrolment=main, consultant=consultant, by=director
    )
    mission = consultant_services.assignment_accept(assignment=assignment, by=consultant.user)
    _agreement(main, staff)  # the relay deposits the signed copy: agreement_signed
    advance(main, S.IN_PROGRESS)  # the mission's start date has come
    # the owner writes to the relay on the dossier, with a PDF (enrolment/thread.py)
    message = message_post(
        enrolment=main, by=owner, text="Question du dossier", attachment=signed_copy("devis.pdf")
    )
    plan = ActionPlan.objects.create(mission=mission, title="Réduire les stocks")
    indicator = Indicator.objects.create(
        plan=plan, name="Stock", unit="jours", baseline=Decimal("40"), target=Decimal("20")
    )
    Measurement.objects.create(indicator=indicator, date=timezone.localdate(), value=Decimal("35"))
    questionnaire = Questionnaire.objects.get(is_active=True)
    diagnosis = Diagnosis.objects.create(
        company=main.company,
        enrolment=main,
        questionnaire=questionnaire,
        state=Diagnosis.State.SUBMITTED,
        theme_scores={"stocks": "25.0", "maintenance": "75.0", "qualite": "50.0"},
        overall_score=Decimal("50.0"),
        recommendation={"offer": "approfondie", "reasons": ["r"], "focus_theme": "stocks"},
        submitted_at=timezone.now(),
    )
    draft_diagnosis = Diagnosis.objects.create(
        company=main.company, questionnaire=questionnaire, state=Diagnosis.State.DRAFT
    )
    # collective action
    group = group_services.group_create(
        relay=relay,
        departement=Departement.objects.get(code=dep),
        name=f"Groupe {letter}",
        by=director,
    )
    membership = group_services.group_member_add(group=group, enrolment=main, by=director)
    starts = timezone.now() + dt.timedelta(days=10)
    seminar = group_services.seminar_create(
        group=group,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="Salle du relais",
        theme=Theme.objects.order_by("position").first(),
        by=director,
    )
    followup = FollowUp.objects.create(
        enrolment=main, due_months=6, due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    # the satisfaction questionnaire (made here: the services make it when the mission closes)
    survey = SatisfactionSurvey.objects.create(mission=mission)
    # pilots' training
    trainees = training_services.training_enrol_pilots(enrolment=main, trainer=trainer, by=director)
    session = training_services.training_session_create(
        module=TrainingModule.objects.filter(is_active=True).first(),
        trainer=trainer,
        relay=relay,
        date=timezone.localdate() + dt.timedelta(days=5),
        place="Centre de formation",
        trainees=trainees,
        by=director,
    )
    # other enrolments of the same owner
    draft = EnrolmentFactory(company=company_in(dep, owner=owner, name=f"{name} Brouillon"))
    diagnosed = enrolment_at(S.DIAGNOSED, departement=dep, owner=owner, name=f"{name} Diag")
    waiting = enrolment_at(S.VALIDATED, departement=dep, staff=staff, name=f"{name} Attente")
    proposal = consultant_services.consultant_assign(
        enrolment=waiting, consultant=consultant, by=director
    )
    batch = AgreementBatch.objects.create(created_by=staff)
    return {
        "owner": owner,
        "relay_staff": staff,
        "consultant": consultant.user,
        "trainer": trainer.user,
        "expert_consultant": consultant,
        "expert_trainer": trainer,
        "relay": relay,
        "company": main.company,
        "enrolment": main,
        "draft": draft,
        "diagnosed": diagnosed,
        "waiting": waiting,
        "proposal": proposal,
        "mission": mission,
        "plan": plan,
        "indicator": indicator,
        "diagnosis": diagnosis,
        "draft_diagnosis": draft_diagnosis,
        "group": group,
        "membership": membership,
        # opened (pending) when the company joined: only its owner chooses what it shows
        "network_consent": NetworkConsent.objects.get(group=group, company=main.company),
        "seminar": seminar,
        "followup": followup,
        "survey": survey,
        "trainee": trainees[0],
        "session": session,
        "batch": batch,
        "message": message,
    }


def build_world(*, mail_dir) -> World:
    director = UserFactory(director=True, email="director@matrix.test")
    region = UserFactory(region=True, email="region@matrix.test")
    admin = UserFactory(admin=True, email="admin@matrix.test")
    afpi, thesame = Relay.objects.get(slug="afpi"), Relay.objects.get(slug="thesame")
    a = _side("a", "69", afpi, director, "Alpha Usinage")
    b = _side("b", "74", thesame, director, FOREIGN_MARKER)

    users = {
        Role.OWNER: a["owner"],
        Role.RELAY_STAFF: a["relay_staff"],
        Role.CONSULTANT: a["consultant"],
        Role.TRAINER: a["trainer"],
        Role.DIRECTOR: director,
        Role.REGION: region,
        Role.ADMIN: admin,
    }
    users = {str(k): v for k, v in users.items()}
    users_b = {r: b[r] for r in ("owner", "relay_staff", "consultant", "trainer")}
    tokens = {role: api_token_create(user=u, name="matrix")[1] for role, u in users.items()}
    token_pk = {
        role: u.api_tokens.get().pk if hasattr(u, "api_tokens") else None
        for role, u in users.items()
    }
    foreign_token, _raw = api_token_create(user=b["owner"], name="matrix-b")
    jobs = {
        role: ExportJob.objects.create(
            requested_by=u,
            status=ExportJob.Status.DONE,
            file=_pdf("export.csv"),
            total=1,
            done=1,
            finished_at=timezone.now(),
        )
        for role, u in users.items()
    }
    foreign_job = ExportJob.objects.create(
        requested_by=b["relay_staff"], status=ExportJob.Status.DONE, file=_pdf("export.csv")
    )
    failed = OutboxMessage.objects.create(
        kind="matrix.test", key="matrix:failed", payload={}, status=OutboxMessage.Status.FAILED
    )
    mail_dir.mkdir(parents=True, exist_ok=True)
    (mail_dir / "matrix.log").write_text(
        "Content-Type: text/plain; charset=utf-8\nSubject: Test\nFrom: a@test.example\n"
        "To: b@test.example\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n\nBonjour\n"
    )
    accounts = {
        key: Account.objects.filter(relay=side["relay"]).order_by("code").first()
        for key, side in (("a", a), ("b", b))
    }
    entries = {
        key: JournalEntry.objects.filter(relay=side["relay"]).order_by("pk").first()
        for key, side in (("a", a), ("b", b))
    }

    def pk(kind: str) -> Obj:
        return Obj(own={"pk": a[kind].pk}, foreign={"pk": b[kind].pk})

    objects = {
        "company": pk("company"),
        "enrolment": pk("enrolment"),
        "draft": pk("draft"),
        "diagnosed": pk("diagnosed"),
        "waiting": pk("waiting"),
        "mission": pk("mission"),
        "plan": pk("plan"),
        "indicator": pk("indicator"),
        "diagnosis": pk("diagnosis"),
        "draft_diagnosis": pk("draft_diagnosis"),
        "group": pk("group"),
        "seminar": pk("seminar"),
        "followup": pk("followup"),
        "network_consent": pk("network_consent"),
        "survey": pk("survey"),
        "trainee": pk("trainee"),
        "session": pk("session"),
        "batch": pk("batch"),
        "proposal": Obj(own={"pk": a["proposal"].pk}, foreign={"pk": b["proposal"].pk}),
        "relay": Obj(own={"pk": afpi.pk}, foreign={"pk": thesame.pk}),
        "relay_slug": Obj(own={"slug": afpi.slug}, foreign={"slug": thesame.slug}),
        "enrolment_pk": Obj(
            own={"enrolment_pk": a["enrolment"].pk}, foreign={"enrolment_pk": b["enrolment"].pk}
        ),
        "dossier_message": Obj(
            own={"pk": a["enrolment"].pk, "message_pk": a["message"].pk},
            foreign={"pk": b["enrolment"].pk, "message_pk": b["message"].pk},
        ),
        "agreement_version": Obj(
            own={"pk": a["enrolment"].pk, "version": 1},
            foreign={"pk": b["enrolment"].pk, "version": 1},
        ),
        "membership": Obj(
            own={"pk": a["group"].pk, "membership_pk": a["membership"].pk},
            foreign={"pk": b["group"].pk, "membership_pk": b["membership"].pk},
        ),
        # a valid signed link; the foreign side uses A's token on B's follow-up (tampered)
        "followup_link": Obj(
            own={"pk": a["followup"].pk, "token": followup_token(followup=a["followup"])},
            foreign={"pk": b["followup"].pk, "token": followup_token(followup=a["followup"])},
        ),
        # the same for the satisfaction questionnaire
        "satisfaction_link": Obj(
            own={"pk": a["survey"].pk, "token": survey_token(survey=a["survey"])},
            foreign={"pk": b["survey"].pk, "token": survey_token(survey=a["survey"])},
        ),
        "company_statement": Obj(
            own={"slug": afpi.slug, "pk": a["company"].pk},
            foreign={"slug": thesame.slug, "pk": b["company"].pk},
        ),
        "consultant_statement": Obj(
            own={"slug": afpi.slug, "pk": a["expert_consultant"].pk},
            foreign={"slug": thesame.slug, "pk": b["expert_consultant"].pk},
        ),
        # the trainer's own expert record is their trainer record
        "expert": Obj(
            own={"pk": a["expert_consultant"].pk},
            foreign={"pk": b["expert_consultant"].pk},
            own_by_role={"trainer": {"pk": a["expert_trainer"].pk}},
            foreign_by_role={"trainer": {"pk": b["expert_trainer"].pk}},
        ),
        # objects that belong to the user who made them: own = the role's own one
        "export_job": Obj(
            own={"pk": jobs["relay_staff"].pk},
            foreign={"pk": foreign_job.pk},
            own_by_role={role: {"pk": job.pk} for role, job in jobs.items()},
        ),
        "api_token": Obj(
            own={"pk": token_pk["owner"]},
            foreign={"pk": foreign_token.pk},
            own_by_role={role: {"pk": p} for role, p in token_pk.items()},
        ),
        "outbox_message": Obj(own={"pk": failed.pk}, foreign={"pk": failed.pk}),
        "mail": Obj(own={"name": "matrix.log"}, foreign={"name": "matrix.log"}),
        "departement": Obj(own={"pk": "69"}, foreign={"pk": "74"}),
        "offer": Obj(own={"code": "ciblee"}, foreign={"code": "approfondie"}),
        "account": Obj(own={"pk": accounts["a"].pk}, foreign={"pk": accounts["b"].pk}),
        "ledger_entry": Obj(own={"pk": entries["a"].pk}, foreign={"pk": entries["b"].pk}),
    }
    return World(users=users, users_b=users_b, tokens=tokens, objects=objects)
