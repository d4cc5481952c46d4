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
