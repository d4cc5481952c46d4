"""Demo companies: about forty SMEs across every relay and every stage of the journey."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from stdnum import luhn

from catalogue.deminimis import regulation_on
from catalogue.models import DeMinimisRegulation, Offer
from core.demo import demo_user
from core.models import Departement, User
from core.roles import Role
from diagnostics.models import Diagnosis, Question, Theme
from diagnostics.services import diagnosis_save_answers, diagnosis_start, diagnosis_submit

from . import actions, deminimis
from .models import Company, Enrolment, EnrolmentState
from .thread import message_post

S = EnrolmentState
#: The happy path in order, as far as this app's actions go (the consultants, agreements and
#: missions demo steps take the journeys further: `ctx["journeys"]`).
PATH = [S.ELIGIBLE, S.DIAGNOSED, S.OFFER_CHOSEN, S.VALIDATED]
#: Targets that need a consultant, an agreement or a mission (later demo steps).
LATER = [S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED]
WITHDRAWAL_REASON = "Charge de travail trop importante cette année ; nous reviendrons plus tard."

# name, postcode, city, NAF, headcount, target state
COMPANIES = [
    ("Décolletage du Genevois", "74300", "Cluses", "25.62B", 48, S.IN_PROGRESS),
    ("Mécanique de Précision de l'Arve", "74130", "Bonneville", "25.62B", 32, S.CLOSED),
    ("Plasturgie d'Oyonnax", "01100", "Oyonnax", "22.29A", 85, S.IN_PROGRESS),
    ("Moules et Outillages du Bugey", "01500", "Ambérieu-en-Bugey", "25.73A", 21, S.VALIDATED),
    ("Fonderie du Forez", "42600", "Montbrison", "24.52Z", 120, S.AGREEMENT_SIGNED),
    ("Chaudronnerie Rhodanienne", "69200", "Vénissieux", "25.29Z", 38, S.DIAGNOSED),
    ("Tôlerie Fine Lyonnaise", "69100", "Villeurbanne", "25.11Z", 27, S.OFFER_CHOSEN),
    ("Traitements de Surface du Dauphiné", "38500", "Voiron", "25.61Z", 44, S.IN_PROGRESS),
    ("Électronique Grésivaudan", "38920", "Crolles", "26.11Z", 63, S.CONSULTANT_ASSIGNED),
    ("Menuiserie Industrielle de Chambéry", "73000", "Chambéry", "16.23Z", 19, S.ELIGIBLE),
    ("Usinage de Maurienne", "73300", "Saint-Jean-de-Maurienne", "25.62A", 55, S.CLOSED),
    ("Textiles Techniques d'Annonay", "07100", "Annonay", "13.96Z", 71, S.ELIGIBLE),
    ("Emballages de la Drôme", "26000", "Valence", "17.21B", 90, S.IN_PROGRESS),
    ("Robinetterie de Saint-Étienne", "42000", "Saint-Étienne", "28.14Z", 140, S.VALIDATED),
    ("Câblerie du Beaujolais", "69400", "Villefranche-sur-Saône", "27.32Z", 36, S.WITHDRAWN),
    ("Ressorts Savoyards", "73200", "Albertville", "25.93Z", 24, S.DRAFT),
    ("Mécanosoudure de Romans", "26100", "Romans-sur-Isère", "25.11Z", 29, S.AGREEMENT_SIGNED),
    (
        "Injection Plastique de l'Ain",
        "01000",
        "Bourg-en-Bresse",
        "22.29A",
        110,
        S.CONSULTANT_ASSIGNED,
    ),
    ("Outils Coupants du Pilat", "42400", "Saint-Chamond", "25.73B", 17, S.DIAGNOSED),
    ("Transports Frigorifiques Rhône-Alpes", "69800", "Saint-Priest", "49.41A", 60, S.INELIGIBLE),
    ("Laboratoire Métrologie Isère", "38100", "Grenoble", "71.20B", 14, S.OFFER_CHOSEN),
    ("Ateliers de Tournon", "07300", "Tournon-sur-Rhône", "25.62B", 22, S.IN_PROGRESS),
    ("Peinture Industrielle Valentinoise", "26500", "Bourg-lès-Valence", "25.61Z", 33, S.CLOSED),
    ("Mécatronique d'Annecy", "74000", "Annecy", "28.99B", 78, S.VALIDATED),
    ("Forge de Rive-de-Gier", "42800", "Rive-de-Gier", "25.50A", 95, S.IN_PROGRESS),
    ("Composites du Vercors", "38250", "Villard-de-Lans", "22.29A", 26, S.WITHDRAWN),
    ("Imprimerie Industrielle Lyonnaise", "69007", "Lyon", "18.12Z", 41, S.ELIGIBLE),
    ("Profilés Aluminium du Rhône", "69330", "Meyzieu", "24.42Z", 130, S.ELIGIBLE),
    ("Maintenance Hydraulique Savoie", "73100", "Aix-les-Bains", "33.12Z", 18, S.IN_PROGRESS),
    (
        "Roulements de la Vallée de l'Arve",
        "74950",
        "Scionzier",
        "28.15Z",
        150,
        S.CONSULTANT_ASSIGNED,
    ),
    ("Sellerie Technique d'Ardèche", "07200", "Aubenas", "13.92Z", 12, S.DIAGNOSED),
    ("Électrolyse du Grésivaudan", "38190", "Brignoud", "25.61Z", 39, S.AGREEMENT_SIGNED),
    ("Verrerie Technique de l'Ain", "01200", "Bellegarde-sur-Valserine", "23.19Z", 52, S.CLOSED),
    ("Découpe Laser Stéphanoise", "42100", "Saint-Étienne", "25.62B", 23, S.OFFER_CHOSEN),
    ("Agroéquipements de la Drôme", "26300", "Chatuzange-le-Goubet", "28.30Z", 67, S.IN_PROGRESS),
    ("Pièces Frittées de Savoie", "73400", "Ugine", "25.50B", 88, S.VALIDATED),
    ("Micromécanique du Chablais", "74200", "Thonon-les-Bains", "25.62B", 31, S.IN_PROGRESS),
    ("Convoyeurs Lyonnais", "69150", "Décines-Charpieu", "28.22Z", 46, S.CLOSED),
    ("Bobinage Électrique de l'Isère", "38300", "Bourgoin-Jallieu", "27.11Z", 20, S.WITHDRAWN),
    ("Filtration Industrielle du Rhône", "69500", "Bron", "28.25Z", 58, S.AGREEMENT_SIGNED),
]

#: De minimis aid declared at the offer step: (beneficiary, granting body, days ago, amount).
#: The amount None is what brings the company close to the ceiling once its offer is counted
#: (`NEAR_CEILING_HEADROOM` left): the relay sees the narrow headroom at validation.
DEMINIMIS = {
    "Fonderie du Forez": [
        ("Fonderie du Forez", "Bpifrance — prêt d'honneur", 420, Decimal("45000.00")),
    ],
    "Tôlerie Fine Lyonnaise": [
        ("Tôlerie Fine Lyonnaise", "Bpifrance — aide à l'innovation", 300, Decimal("150000.00")),
        ("Holding Tôlerie Fine SAS", "Métropole de Lyon", 640, None),
    ],
}
#: A relay's correction of the Fonderie's declaration (a forgotten aid), with its reason.
DEMINIMIS_CORRECTION = {
    "Fonderie du Forez": (
        ("Fonderie du Forez", "Département de la Loire", 150, Decimal("12500.00")),
        "Aide du Département de la Loire oubliée, signalée par l'expert-comptable.",
    ),
}
NEAR_CEILING_HEADROOM = Decimal("1850.00")

PILOTS = [
    ("Karim", "Benali", "Responsable de production"),
    ("Émilie", "Durand", "Technicienne méthodes"),
    ("Stéphane", "Michaud", "Chef d'atelier"),
    ("Laure", "Vidal", "Responsable qualité"),
]


def demo_siret(n: int) -> str:
    """A valid SIRET (Luhn over 14 digits) derived from a number, stable across runs."""
    siren = luhn.calc_check_digit(f"{40000000 + n * 7919:08d}")
    siren = f"{40000000 + n * 7919:08d}{siren}"
    for nic in range(10, 100000):
        candidate = f"{siren}{nic:05d}"
        if luhn.is_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


def _advance(
    enrolment: Enrolment, target: str, staff: User, owner: User, rng: random.Random, ctx: dict
) -> None:
    """Take the enrolment towards `target` through the workflow actions, up to validation.

    Submission evaluates eligibility (the ineligible company stays so); later targets are
    recorded in `ctx["journeys"]` for the consultants, agreements and missions steps.
    """
    withdraw = target == S.WITHDRAWN
    stop = rng.choice([S.DIAGNOSED, S.VALIDATED, S.IN_PROGRESS]) if withdraw else target
    if stop == S.DRAFT:
        return
    for state in PATH[: PATH.index(stop) + 1] if stop in PATH else PATH:
        if state == S.ELIGIBLE:
            actions.submit(enrolment=enrolment, by=owner)
            if enrolment.state == S.INELIGIBLE:
                return
        elif state == S.DIAGNOSED:
            _diagnose(enrolment, owner, rng)  # the submitted diagnosis moves it on
        elif state == S.OFFER_CHOSEN:
            _choose_offer(enrolment, owner, rng)
            if enrolment.company.name in DEMINIMIS:
                _declare_deminimis(enrolment, owner, staff)
        elif state == S.VALIDATED:
            actions.validate(enrolment=enrolment, by=staff)
    if stop in LATER:
        ctx.setdefault("journeys", {})[enrolment.pk] = {"target": target, "stop": stop}
    elif withdraw:
        actions.withdraw(enrolment=enrolment, by=owner, reason=WITHDRAWAL_REASON)


def _diagnose(
    enrolment: Enrolment, owner: User, rng: random.Random, purpose: str = "enrolment"
) -> None:
    """Fill in and submit the self-diagnosis through the services (moves eligible → diagnosed).

    At closing, the company answers again: the weak themes it worked on have progressed.
    """
    earlier = (
        Diagnosis.objects.filter(company=enrolment.company, state=Diagnosis.State.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    diagnosis = diagnosis_start(
        company=enrolment.company,
        by=owner,
        enrolment=enrolment if purpose == "enrolment" else None,
        purpose=purpose,
    )
    codes = list(
        Question.objects.filter(questionnaire_id=diagnosis.questionnaire_id)
        .order_by("theme__position", "position")
        .values_list("code", "theme__code")
    )
    if earlier is not None:
        answers = {
            code: min(
                4,
                earlier.answers.get(code, 2)
                + (2 if earlier.answers.get(code, 2) < 2 else rng.choice([0, 0, 1])),
            )
            for code, _theme in codes
        }
    else:
        weak = set(rng.sample(sorted({t for _c, t in codes}), rng.choice([1, 1, 2, 3])))
        answers = {
            code: rng.choice([0, 1, 1]) if theme in weak else rng.choice([2, 2, 3, 3, 4])
            for code, theme in codes
        }
    diagnosis_save_answers(diagnosis=diagnosis, answers=answers)
    diagnosis_submit(diagnosis=diagnosis, by=owner, headcount=enrolment.company.headcount)
    enrolment.refresh_from_db()


def _choose_offer(enrolment: Enrolment, owner: User, rng: random.Random) -> None:
    small = (enrolment.company.headcount or 0) < 40
    offer = Offer.objects.get(code="ciblee" if small and rng.random() < 0.8 else "approfondie")
    pilots = []
    for position in range(1, actions.pilots_needed(offer) + 1):
        first, last, job = PILOTS[(enrolment.pk + position) % len(PILOTS)]
        pilots.append(
            {
                "first_name": first,
                "last_name": last,
                "job_title": job,
                "email": f"{first.lower()}.{last.lower()}@entreprise{enrolment.company_id}.demo.test",
            }
        )
    actions.choose_offer(
        enrolment=enrolment,
        by=owner,
        offer=offer,
        pilots=pilots,
        problem_theme=rng.choice(list(Theme.objects.all())) if offer.code == "ciblee" else None,
    )


def _declare_deminimis(enrolment: Enrolment, owner: User, staff: User) -> None:
    """The owner's de minimis declaration (and the relay's correction) through the service."""
    today = timezone.localdate()
    regulations = list(DeMinimisRegulation.objects.all())

    def aid(beneficiary: str, body: str, days_ago: int, amount: Decimal) -> dict:
        granted_on = today - dt.timedelta(days=days_ago)
        return {
            "beneficiary": beneficiary,
            "granting_body": body,
            "granted_on": granted_on,
            "amount": amount,
            "regulation": regulation_on(regulations, granted_on),
        }

    name = enrolment.company.name
    rows = DEMINIMIS[name]
    known = sum((amount for *_rest, amount in rows if amount is not None), Decimal("0.00"))
    aids = []
    for beneficiary, body, days_ago, amount in rows:
        if amount is None:  # what leaves NEAR_CEILING_HEADROOM once the offer is counted
            check = deminimis.assessment(enrolment)
            amount = check.headroom - known - NEAR_CEILING_HEADROOM
        aids.append(aid(beneficiary, body, days_ago, amount))
    deminimis.declaration_save(enrolment=enrolment, by=owner, aids=aids)
    if name in DEMINIMIS_CORRECTION:
        extra, reason = DEMINIMIS_CORRECTION[name]
        deminimis.declaration_save(
            enrolment=enrolment, by=staff, aids=[*aids, aid(*extra)], reason=reason
        )


#: A short exchange on the dossiers waiting for the relay or just validated (the thread).
DEMO_QUESTION = (
    "Bonjour, nous avons choisi l'offre et nommé notre pilote. Pouvez-vous nous dire quand "
    "un consultant pourrait passer ? Le mardi matin nous arrange."
)
DEMO_ANSWER = (
    "Bonjour, merci pour votre demande complète. Le directeur de projet désigne le consultant "
    "cette semaine ; nous vous écrivons dès qu'il a accepté."
)


def _converse(enrolment: Enrolment, staff: User, owner: User) -> None:
    if enrolment.state not in {S.OFFER_CHOSEN, S.VALIDATED}:
        return
    message_post(enrolment=enrolment, by=owner, text=DEMO_QUESTION)
    if enrolment.state == S.VALIDATED:
        message_post(enrolment=enrolment, by=staff, text=DEMO_ANSWER)


def seed_companies(ctx: dict) -> None:
    rng = random.Random(1999)
    departements = {d.code: d for d in Departement.objects.select_related("default_relay")}
    now = timezone.now()
    for n, (name, postcode, city, naf, headcount, target) in enumerate(COMPANIES, start=1):
        siret = demo_siret(n)
        if Company.objects.filter(siret=siret).exists():
            continue
        owner = demo_user(
            f"entreprise{n:02d}@demo.test",
            role=Role.OWNER,
            first_name=rng.choice(
                ["Bernard", "Christine", "Gérard", "Patricia", "Michel", "Françoise"]
            ),
            last_name=name.split()[-1],
        )
        dep = departements[postcode[:2]]
        company = Company.objects.create(
            siret=siret,
            name=name,
            naf_code=naf,
            headcount=headcount,
            turnover=Decimal(headcount) * Decimal("120000.00"),
            address=f"{rng.randint(1, 120)} rue de l'Industrie",
            postcode=postcode,
            city=city,
            departement=dep,
            relay=dep.default_relay,
            owner=owner,
        )
        enrolment = Enrolment.objects.create(
            company=company,
            created_by=owner,
            created_at=now - dt.timedelta(days=20 + (len(COMPANIES) - n) * 12),
        )
        staff = User.objects.get(email=f"relais-{dep.default_relay.slug}@demo.test")
        _advance(enrolment, target, staff, owner, rng, ctx)
        _converse(enrolment, staff, owner)
