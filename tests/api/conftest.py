"""API test helpers: a client authenticated by a real personal token, and a small world."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection
from pytest_django.plugin import blocking_manager_key
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
def reload_reference_data_afterwards(django_db_serialized_rollback):
    """Marks a live-server test whose final flush must not leave the next tests without the
    reference data the migrations load (relays, départements, offers, themes…): the hook
    below reloads it once every fixture, the database flush included, is torn down."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if "reload_reference_data_afterwards" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(sql)
    return result
