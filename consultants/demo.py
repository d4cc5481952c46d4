"""Demo pool: 60 consultants and 60 trainers with varied specialties and territories."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from core.demo import demo_user
from core.models import Departement
from core.roles import Role
from diagnostics.models import Theme
from enrolment.models import Enrolment, EnrolmentState

from .models import Expert, Mission

FIRST = [
    "Pierre",
    "Marie",
    "Jean",
    "Anne",
    "Luc",
    "Claire",
    "Marc",
    "Hélène",
    "Paul",
    "Sylvie",
    "Olivier",
    "Agnès",
    "Éric",
    "Valérie",
    "Bruno",
    "Martine",
    "Denis",
    "Odile",
    "Yves",
    "Lucie",
]
LAST = [
    "Girard",
    "Favre",
    "Roux",
    "Fontaine",
    "Chevalier",
    "Blanc",
    "Perrin",
    "Morel",
    "Bonnet",
    "Dumas",
    "Gauthier",
    "Rey",
    "Mercier",
    "Brun",
    "Vincent",
    "Guillot",
    "Masson",
    "Berger",
    "Collomb",
    "Jacquet",
    "Bouvier",
    "Pellet",
    "Cartier",
    "Vial",
    "Rolland",
    "Besson",
    "Charvet",
    "Mollard",
    "Ferrand",
    "Gay",
]
FIRMS = [
    "Lean Conseil Alpes",
    "Flux & Performance",
    "Cabinet Rhodanien d'Organisation",
    "Indus'Progrès",
    "Kaizen Partenaires",
    "Atelier Méthodes",
    "Qualiconseil",
    "Dauphiné Performance",
    "Forez Industrie Conseil",
    "Savoie Excellence Opérationnelle",
]
SPLIT = {"selected": 2, "trained": 3, "suspended": 3, "left": 2}  # the rest are active


def _accreditation(i: int) -> str:
    edges, start = {}, 0
    for status, n in SPLIT.items():
        for k in range(start, start + n):
            edges[k] = status
        start += n
    return edges.get(i, Expert.Accreditation.ACTIVE)


def seed_pool(ctx: dict) -> None:
    rng = random.Random(2007)
    themes = list(Theme.objects.all())
    departements = list(Departement.objects.filter(in_programme=True))
    for kind, prefix, role in (
        (Expert.Kind.CONSULTANT, "consultant", Role.CONSULTANT),
        (Expert.Kind.TRAINER, "formateur", Role.TRAINER),
    ):
        for i in range(1, 61):
            first = FIRST[(i * 7 + (kind == "trainer") * 3) % len(FIRST)]
            last = LAST[(i * 11 + (kind == "trainer") * 5) % len(LAST)]
            user = demo_user(
                f"{prefix}{i:02d}@demo.test", role=role, first_name=first, last_name=last
            )
            specialties = rng.sample(themes, k=rng.randint(1, 3))
            covered = rng.sample(departements, k=rng.randint(1, 4))
            capacity = rng.randint(3, 6)
            rate = Decimal(rng.choice(["720.00", "760.00", "805.00", "850.00", "880.00"]))
            firm = rng.choice(FIRMS)
            status = (
                _accreditation(i - 1)
                if kind == Expert.Kind.CONSULTANT
                else Expert.Accreditation.ACTIVE
            )
            expert, created = Expert.objects.get_or_create(
                user=user,
                defaults={
                    "kind": kind,
                    "firm": firm,
                    "capacity": capacity,
                    "half_day_rate": rate,
                    "accreditation": status,
                    "selected_on": dt.date(2006, 9, 1),
                    "trained_on": dt.date(2006, 12, 15),
                    "active_since": dt.date(2007, 1, 8) if status == "active" else None,
                },
            )
            if created:
                expert.specialties.set(specialties)
                expert.departements.set(covered)


MISSION_STATES = {
    EnrolmentState.CONSULTANT_ASSIGNED,
    EnrolmentState.AGREEMENT_SIGNED,
    EnrolmentState.IN_PROGRESS,
    EnrolmentState.CLOSED,
}


def seed_missions(ctx: dict) -> None:
    """Give every demo enrolment past assignment a consultant covering its territory."""
    consultants = list(
        Expert.objects.consultants()
        .filter(accreditation=Expert.Accreditation.ACTIVE)
        .prefetch_related("departements")
        .order_by("pk")
    )
    load = {c.pk: c.missions.count() for c in consultants}
    enrolments = (
        Enrolment.objects.filter(state__in=MISSION_STATES, mission__isnull=True)
        .select_related("company", "tariff")
        .order_by("pk")
    )
    for enrolment in enrolments:
        dep = enrolment.company.departement_id
        candidates = [c for c in consultants if load[c.pk] < c.capacity] or consultants
        candidates.sort(key=lambda c: (dep not in {d.pk for d in c.departements.all()}, load[c.pk]))
        consultant = candidates[0]
        start = enrolment.created_at.date() + dt.timedelta(days=45)
        months = enrolment.tariff.duration_months if enrolment.tariff else 4
        Mission.objects.create(
            enrolment=enrolment,
            consultant=consultant,
            start_date=start,
            planned_end_date=start + dt.timedelta(days=round(months * 30.44)),
        )
        load[consultant.pk] += 1


# --- Pilot training (issue 7) ----------------------------------------------------------------

#: Modules followed by the pilots, by enrolment state (the closed ones completed the training).
MODULES_BY_STATE = {
    EnrolmentState.AGREEMENT_SIGNED: 0,
    EnrolmentState.IN_PROGRESS: 4,
    EnrolmentState.CLOSED: None,  # all of them, then a passed assessment
}


def seed_training(ctx: dict) -> None:
    """Enrol approfondie pilots in the qualifying training; sessions, attendance, assessments."""
    from .models import Trainee, TrainingModule, TrainingSession
    from .training import (
        training_assess,
        training_attendance_record,
        training_enrol_pilots,
        training_session_create,
    )

    trainers = list(Expert.objects.trainers().select_related("user").order_by("pk"))
    modules = list(TrainingModule.objects.filter(is_active=True).order_by("position"))
    enrolments = (
        Enrolment.objects.filter(
            state__in=list(MODULES_BY_STATE), tariff__includes_training=True, pilots__isnull=False
        )
        .select_related("company__relay")
        .distinct()
        .order_by("company__siret")
    )
    for n, enrolment in enumerate(enrolments):
        trainer = trainers[(n * 7) % len(trainers)]
        trainees = training_enrol_pilots(enrolment=enrolment, trainer=trainer)
        count = MODULES_BY_STATE[enrolment.state]
        followed = modules if count is None else modules[:count]
        start = enrolment.created_at.date() + dt.timedelta(days=60)
        for i, module in enumerate(followed):
            if TrainingSession.objects.filter(
                module=module, attendances__trainee=trainees[0]
            ).exists():
                continue
            session = training_session_create(
                module=module,
                trainer=trainer,
                relay=enrolment.company.relay,
                date=start + dt.timedelta(days=14 * i),
                place=f"{enrolment.company.relay.name} — centre de formation",
                trainees=trainees,
            )
            training_attendance_record(
                session=session, present={t.pk: True for t in trainees}, by=trainer.user
            )
        if count is None:
            for trainee in trainees:
                trainee.refresh_from_db()
                if trainee.status != Trainee.Status.COMPLETED:
                    training_assess(
                        trainee=trainee,
                        passed=True,
                        score=Decimal("14.50"),
                        comment="Projet mené à son terme, résultats mesurés et présentés au jury.",
                        by=trainer.user,
                    )
