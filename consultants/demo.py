"""Demo pool: 60 consultants and 60 trainers with varied specialties and territories."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from catalogue.models import Offer
from core.demo import demo_user
from core.exceptions import BusinessRuleError
from core.models import Departement, User
from core.roles import Role
from diagnostics.models import Theme
from enrolment import actions
from enrolment.demo import WITHDRAWAL_REASON, demo_siret
from enrolment.demo import _diagnose as diagnose
from enrolment.models import Company, Enrolment, EnrolmentState

from . import selectors, services
from .models import Expert, Mission, Trainee, TrainingModule, TrainingSession
from .training import (
    training_assess,
    training_attendance_record,
    training_enrol_pilots,
    training_session_create,
)

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
S = EnrolmentState

SUBJECTS = [
    "Lancement de la mission et visite de l'atelier",
    "Cartographie des flux (VSM)",
    "Chantier 5S au poste de montage",
    "Analyse des causes des retards de livraison",
    "Mise en place du tableau de bord d'indicateurs",
    "Atelier SMED sur la presse principale",
    "Revue des stocks et des seuils de réapprovisionnement",
    "Point d'avancement avec la direction",
    "Formation des équipes au standard de travail",
    "Bilan intermédiaire du plan d'action",
]
INDICATORS = [
    ("Taux de service client", "%", Decimal("82.00"), Decimal("95.00")),
    ("Délai moyen de livraison", "jours", Decimal("21.00"), Decimal("12.00")),
    ("Valeur du stock", "k€", Decimal("480.00"), Decimal("350.00")),
    ("Taux de rebut", "%", Decimal("6.50"), Decimal("3.00")),
    ("Disponibilité machine (TRS)", "%", Decimal("61.00"), Decimal("75.00")),
    ("Temps de changement de série", "min", Decimal("95.00"), Decimal("40.00")),
]
ISSUES = [
    "Fiabiliser les délais de livraison",
    "Réduire les stocks et en-cours",
    "Améliorer la qualité en sortie de ligne",
]

# name, postcode, city, NAF, headcount, target state, months ago the enrolment started
EXTRA = [
    "Usinage",
    "Décolletage",
    "Mécanique",
    "Tôlerie",
    "Plasturgie",
    "Chaudronnerie",
    "Fonderie",
    "Traitement thermique",
    "Outillage",
    "Électronique",
    "Emballage",
    "Câblage",
]
TOWNS = [
    ("01100", "Oyonnax"),
    ("07100", "Annonay"),
    ("26000", "Valence"),
    ("38000", "Grenoble"),
    ("42000", "Saint-Étienne"),
    ("69100", "Villeurbanne"),
    ("73000", "Chambéry"),
    ("74300", "Cluses"),
    ("38300", "Bourgoin-Jallieu"),
    ("69400", "Villefranche-sur-Saône"),
    ("42300", "Roanne"),
    ("74000", "Annecy"),
    ("26200", "Montélimar"),
    ("01000", "Bourg-en-Bresse"),
]
EXTRA_COUNT = 110


def _director() -> User:
    return User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()


def _staff(enrolment: Enrolment) -> User:
    return User.objects.filter(role=Role.RELAY_STAFF, relay_id=enrolment.company.relay_id).first()


def _fill_mission(mission: Mission, rng: random.Random, *, closing: bool) -> None:
    """Half-days, action plans, actions and indicators through the services."""
    mission = Mission.objects.select_related(
        "enrolment__tariff", "enrolment__offer", "enrolment__company", "consultant__user"
    ).get(pk=mission.pk)
    consultant = mission.consultant.user
    today = timezone.localdate()
    allowed = services.mission_allowed_half_days(mission=mission)
    total_days = max((mission.planned_end_date - mission.start_date).days, 1)
    elapsed = min(max((today - mission.start_date).days, 0), total_days)
    pace = 1.0 if closing else rng.choice([0.3, 0.7, 0.9, 1.0, 1.0, 1.1])
    count = allowed if closing else min(allowed, round(allowed * elapsed / total_days * pace))
    last = min(today, mission.planned_end_date)
    span = max((last - mission.start_date).days, 1)
    dates = sorted(
        mission.start_date + dt.timedelta(days=round(span * (k + 1) / (count + 1)))
        for k in range(count)
    )
    for k, day in enumerate(dates):
        services.half_day_record(
            mission=mission,
            by=consultant,
            date=min(day, today),
            subject=SUBJECTS[k % len(SUBJECTS)],
            attendees="Direction, pilote(s) interne(s)",
        )
    pilots = list(mission.enrolment.pilots.all())
    if not pilots or (not closing and count == 0):
        return
    targeted = services.mission_is_targeted(mission)
    issues = (
        [None]
        if targeted
        else [
            services.key_issue_create(mission=mission, by=consultant, title=t)
            for t in rng.sample(ISSUES, k=rng.choice([2, 3]))
        ]
    )
    for n, issue in enumerate(issues):
        plan = services.action_plan_create(
            mission=mission,
            by=consultant,
            title=f"Plan d'action {n + 1}" if issue else "Plan d'action",
            objective="Objectifs chiffrés convenus avec le chef d'entreprise.",
            key_issue=issue,
        )
        for j in range(2):
            action = services.action_create(
                plan=plan,
                by=consultant,
                title=SUBJECTS[(n + j + 2) % len(SUBJECTS)],
                owner=pilots[j % len(pilots)],
                due_date=mission.start_date + dt.timedelta(days=30 * (j + 1)),
            )
            status = "done" if closing or j == 0 else "in_progress"
            services.action_set_status(action=action, by=consultant, status=status)
        name, unit, baseline, target = INDICATORS[rng.randrange(len(INDICATORS))]
        indicator = services.indicator_create(
            plan=plan, by=consultant, name=name, unit=unit, baseline=baseline, target=target
        )
        measures = max(1, min(4, count // 2))
        measure_dates = (dates or [today])[-measures:]
        for m, day in enumerate(measure_dates, start=1):
            share = Decimal(m) / Decimal(len(measure_dates)) * Decimal("1.0" if closing else "0.6")
            value = (baseline + (target - baseline) * share).quantize(Decimal("0.01"))
            services.measurement_record(indicator=indicator, by=consultant, date=day, value=value)
    if closing:
        services.mission_write_summary(
            mission=mission,
            by=consultant,
            summary="Objectifs atteints pour l'essentiel ; l'équipe poursuit les routines "
            "de mesure mises en place.",
        )


def _assign(enrolment: Enrolment, rng: random.Random, director: User) -> Mission | None:
    """The director designates a suggested consultant, who accepts (the services' way)."""
    suggestions = selectors.consultant_suggestions(enrolment=enrolment, limit=4)
    rng.shuffle(suggestions)
    for suggestion in suggestions:
        try:
            assignment = services.consultant_assign(
                enrolment=enrolment, consultant=suggestion.expert, by=director
            )
        except BusinessRuleError:  # at capacity since the ranking: the next one
            continue
        return services.assignment_accept(assignment=assignment, by=suggestion.expert.user)
    return None


def _date_mission(mission: Mission, start: dt.date) -> Mission:
    """The demo's missions started in the past: their dates, as the relay would have set them."""
    months = mission.enrolment.tariff.duration_months if mission.enrolment.tariff else 4
    mission.start_date, mission.planned_end_date = start, start + relativedelta(months=months)
    mission.save(update_fields=["start_date", "planned_end_date"])
    return mission


def seed_missions(ctx: dict) -> None:
    """The consultant of each demo journey past validation, then a realistic portfolio.

    Journeys (`ctx["journeys"]`, from the enrolment step) go on in the agreements step
    (signature) and in `seed_mission_work` (half-days, closing, withdrawal).
    """
    rng = random.Random(2008)
    today = timezone.localdate()
    director = _director()
    journeys = ctx.setdefault("journeys", {})
    enrolments = (
        Enrolment.objects.filter(pk__in=list(journeys), state=S.VALIDATED)
        .select_related("company", "tariff", "offer", "problem_theme")
        .order_by("pk")
    )
    for enrolment in enrolments:
        journey = journeys[enrolment.pk]
        mission = _assign(enrolment, rng, director)
        if mission is None:
            journeys.pop(enrolment.pk)
            continue
        months = enrolment.tariff.duration_months if enrolment.tariff else 4
        if journey["target"] == S.CLOSED:
            start = today + relativedelta(months=-months - 2)
        elif journey["stop"] == S.IN_PROGRESS:
            start = today - dt.timedelta(days=rng.randint(20, months * 28))
        else:
            start = today - dt.timedelta(days=rng.randint(0, 10))
        _date_mission(mission, start)
    _seed_portfolio(rng, journeys)
    # The queue shows waiting times: date the demo validations back to a plausible day.
    for enrolment in Enrolment.objects.filter(
        state=S.VALIDATED, validated_at__gt=timezone.now() - dt.timedelta(days=1)
    ).order_by("pk"):
        enrolment.validated_at = timezone.now() - dt.timedelta(days=3 + enrolment.pk % 40)
        enrolment.save(update_fields=["validated_at"])


def seed_mission_work(ctx: dict) -> None:
    """After the signatures: half-days (the first starts the mission), plans, closing."""
    rng = random.Random(2010)
    journeys = ctx.get("journeys", {})
    missions = (
        Mission.objects.filter(enrolment_id__in=list(journeys), enrolment__state=S.AGREEMENT_SIGNED)
        .select_related("enrolment__company__owner")
        .order_by("enrolment_id")
    )
    for mission in missions:
        enrolment = mission.enrolment
        journey = journeys[enrolment.pk]
        if journey["stop"] not in {S.IN_PROGRESS, S.CLOSED}:
            continue
        closing = journey["target"] == S.CLOSED
        _fill_mission(mission, rng, closing=closing)
        enrolment.refresh_from_db()
        if enrolment.state == S.AGREEMENT_SIGNED:  # no half-day yet: its start date has come
            actions.start(enrolment=enrolment, by=None)
        if closing:
            services.mission_close(mission=mission, by=_staff(enrolment))
            diagnose(enrolment, enrolment.company.owner, rng, purpose="closing")
        elif journey["target"] == S.WITHDRAWN:
            actions.withdraw(
                enrolment=enrolment, by=enrolment.company.owner, reason=WITHDRAWAL_REASON
            )


def _seed_portfolio(rng: random.Random, journeys: dict) -> None:
    """About a hundred more companies taken through the journey with the workflow actions and
    services, so the 60 consultants carry a realistic spread of running and closed missions
    (signed in the agreements step, worked on in `seed_mission_work`)."""
    director = _director()
    themes = list(Theme.objects.all())
    departements = {d.code: d for d in Departement.objects.select_related("default_relay")}
    offers = {o.code: o for o in Offer.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    for n in range(1, EXTRA_COUNT + 1):
        siret = demo_siret(500 + n)
        if Company.objects.filter(siret=siret).exists():
            continue
        postcode, city = TOWNS[n % len(TOWNS)]
        dep = departements[postcode[:2]]
        headcount = rng.randint(12, 180)
        # No password (hashing a hundred would slow the seed): these owners never log in.
        owner, _created = User.objects.get_or_create(
            email=f"portefeuille{n:03d}@demo.test",
            defaults={"role": Role.OWNER, "first_name": "Dirigeant", "last_name": f"n°{n}"},
        )
        company = Company.objects.create(
            siret=siret,
            name=f"{EXTRA[n % len(EXTRA)]} {city} {n}",
            naf_code="25.62B",
            headcount=headcount,
            turnover=Decimal(headcount) * Decimal("110000.00"),
            address=f"{n} zone industrielle",
            postcode=postcode,
            city=city,
            departement=dep,
            relay=dep.default_relay,
            owner=owner,
        )
        months_ago = rng.randint(1, 16)
        enrolment = Enrolment.objects.create(
            company=company,
            created_by=owner,
            created_at=now - dt.timedelta(days=30 * months_ago + 40),
        )
        staff = _staff(enrolment)
        actions.submit(enrolment=enrolment, by=owner)  # eligible: an industrial SME of the region
        diagnose(enrolment, owner, rng)  # eligible → diagnosed, through the diagnosis services
        offer = offers["ciblee" if headcount < 50 and rng.random() < 0.7 else "approfondie"]
        theme = rng.choice(themes)
        actions.choose_offer(
            enrolment=enrolment,
            by=owner,
            offer=offer,
            pilots=[
                {
                    "first_name": ["Karim", "Laure"][position - 1],
                    "last_name": f"Pilote{n}",
                    "job_title": "Responsable de production",
                    "email": f"pilote{position}.{n}@portefeuille.demo.test",
                }
                for position in range(1, actions.pilots_needed(offer) + 1)
            ],
            problem_theme=theme,
        )
        actions.validate(enrolment=enrolment, by=staff)
        if n % 11 == 0:  # a few wait in the queue
            continue
        suggestions = selectors.consultant_suggestions(enrolment=enrolment, limit=4)
        if not suggestions:
            continue
        consultant = rng.choice(suggestions).expert
        assignment = services.consultant_assign(
            enrolment=enrolment, consultant=consultant, by=director
        )
        if n % 13 == 0:  # a proposal awaiting the consultant's answer
            continue
        if n % 17 == 0:
            services.assignment_decline(
                assignment=assignment,
                by=consultant.user,
                reason="Indisponible sur la période demandée.",
            )
            continue
        mission = services.assignment_accept(assignment=assignment, by=consultant.user)
        if n % 9 == 0:
            continue  # agreement not signed yet: the mission starts when it is
        enrolment.refresh_from_db()
        duration = enrolment.tariff.duration_months
        start = today + relativedelta(months=-min(months_ago, duration + 2))
        _date_mission(mission, start)
        target = S.CLOSED if start + relativedelta(months=duration) < today else S.IN_PROGRESS
        journeys[enrolment.pk] = {"target": target, "stop": target}


# --- Pilot training ----------------------------------------------------------------

#: Modules followed by the pilots, by enrolment state (the closed ones completed the training).
MODULES_BY_STATE = {
    EnrolmentState.AGREEMENT_SIGNED: 0,
    EnrolmentState.IN_PROGRESS: 4,
    EnrolmentState.CLOSED: None,  # all of them, then a passed assessment
}


def seed_training(ctx: dict) -> None:
    """Enrol approfondie pilots in the qualifying training; sessions, attendance, assessments."""
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
        today = timezone.localdate()
        for i, module in enumerate(followed):
            if TrainingSession.objects.filter(
                module=module, attendances__trainee=trainees[0]
            ).exists():
                continue
            # a followed module was held: its session is in the past (attendance is recorded
            # from the session's day on)
            held_on = min(
                start + dt.timedelta(days=14 * i),
                today - dt.timedelta(days=7 * (len(followed) - i)),
            )
            session = training_session_create(
                module=module,
                trainer=trainer,
                relay=enrolment.company.relay,
                date=held_on,
                place=f"{enrolment.company.relay.name} — centre de formation",
                trainees=trainees,
            )
            training_attendance_record(
                session=session, present={t.pk: True for t in trainees}, by=trainer.user
            )
        if count is not None and count < len(modules):  # the next module, not held yet
            upcoming = modules[count]
            if not TrainingSession.objects.filter(
                module=upcoming, attendances__trainee=trainees[0]
            ).exists():
                training_session_create(
                    module=upcoming,
                    trainer=trainer,
                    relay=enrolment.company.relay,
                    date=today + dt.timedelta(days=14),
                    place=f"{enrolment.company.relay.name} — centre de formation",
                    trainees=trainees,
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
