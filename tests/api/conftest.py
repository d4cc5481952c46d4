"""API test helpers: a client authenticated by a real personal token, and a small world."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_create
from consultants.models import Expert, Mission
from core.models import Relay
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """Rate-limit counters live in the cache (Redis when configured): start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client():
    """`token_client(user)` → an APIClient sending `Authorization: Bearer <a new token>`."""

    def _make(user) -> APIClient:
        _, raw = api_token_create(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return _make


@pytest.fixture
def world():
    """Two relays' companies (Afpi 69, Thésame 74), a consultant on the Annecy mission."""
    afpi = Relay.objects.get(slug="afpi")
    thesame = Relay.objects.get(slug="thesame")
    lyon = CompanyFactory(name="Lyon Usinage")
    annecy = CompanyFactory(
        name="Annecy Décolletage", postcode="74000", departement_id="74", relay=thesame
    )
    e_lyon = EnrolmentFactory(company=lyon)
    e_annecy = EnrolmentFactory(company=annecy)
    consultant_user = UserFactory(consultant=True)
    consultant = Expert.objects.create(user=consultant_user, kind=Expert.Kind.CONSULTANT)
    trainer_user = UserFactory(trainer=True)
    Expert.objects.create(user=trainer_user, kind=Expert.Kind.TRAINER)
    mission = Mission.objects.create(enrolment=e_annecy, consultant=consultant)
    return {
        "lyon": lyon,
        "annecy": annecy,
        "e_lyon": e_lyon,
        "e_annecy": e_annecy,
        "mission": mission,
        "users": {
            "owner": lyon.owner,
            "relay_staff": UserFactory(staff=True, relay=afpi),
            "consultant": consultant_user,
            "trainer": trainer_user,
            "director": UserFactory(director=True),
            "region": UserFactory(region=True),
            "admin": UserFactory(admin=True),
        },
    }


@pytest.fixture
def api_world(world):
    """`world` plus what the issue-8 resources show, on both relays: a submitted diagnosis
    per company (and a draft, never listed), an action plan with an action and an indicator
    measured once on the Annecy mission, a half-day, and a journal entry per relay."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone
    from zeal import zeal_ignore

    from consultants.models import Action, ActionPlan, HalfDay, Indicator, Measurement
    from diagnostics.models import Diagnosis, Questionnaire
    from enrolment.models import Pilot
    from funding.ledger import Line, entry_post

    questionnaire = Questionnaire.objects.get(is_active=True)
    today = timezone.localdate()
    with zeal_ignore():
        for key in ("lyon", "annecy"):
            world[f"diag_{key}"] = Diagnosis.objects.create(
                company=world[key],
                enrolment=world[f"e_{key}"],
                questionnaire=questionnaire,
                state=Diagnosis.State.SUBMITTED,
                theme_scores={"stocks": "25.0", "maintenance": "75.0", "qualite": "50.0"},
                overall_score=Decimal("50.0"),
                recommendation={"offer": "ciblee", "reasons": ["r"], "focus_theme": "stocks"},
                submitted_at=timezone.now(),
            )
        Diagnosis.objects.create(
            company=world["lyon"], questionnaire=questionnaire, state=Diagnosis.State.DRAFT
        )
        mission = world["mission"]
        pilot = Pilot.objects.create(
            enrolment=world["e_annecy"], first_name="Ana", last_name="Pilote", job_title="Méthodes"
        )
        plan = ActionPlan.objects.create(mission=mission, title="Réduire les stocks")
        Action.objects.create(plan=plan, title="Inventaire", owner=pilot, due_date=today)
        indicator = Indicator.objects.create(
            plan=plan, name="Stock", unit="jours", baseline=Decimal("40"), target=Decimal("20")
        )
        Measurement.objects.create(indicator=indicator, date=today, value=Decimal("35"))
        HalfDay.objects.create(mission=mission, date=today, subject="Flux", attendees="Direction")
        world.update(plan=plan, indicator=indicator)
        for key in ("lyon", "annecy"):
            relay = world[key].relay
            world[f"entry_{key}"] = entry_post(
                relay=relay,
                date=today - dt.timedelta(days=1),
                label=f"Acompte {key}",
                event_kind="test",
                key=f"api-test-{key}",
                lines=[
                    Line("512", debit=Decimal("100.00"), company_id=world[key].pk),
                    Line("411", credit=Decimal("100.00"), company_id=world[key].pk),
                ],
            )
    return world
