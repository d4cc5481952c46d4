"""Each token has its own request budget; beyond it the API answers 429."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }


def test_requests_beyond_the_rate_get_429_per_token(world, token_client, tiny_rate):
    first = token_client(world["users"]["director"])
    second = token_client(world["users"]["director"])  # same user, another token
    statuses = [first.get("/api/v1/relays/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = first.get("/api/v1/relays/")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert second.get("/api/v1/relays/").status_code == 200
