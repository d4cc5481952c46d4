"""The profile radar of submitted diagnoses is drawn once, then read from the cache."""

import pytest
from django.core.cache import cache
from django.utils import translation

from diagnostics.models import Theme
from diagnostics.selectors import diagnosis_profile
from diagnostics.services import diagnosis_start
from tests.enrolment.helpers import answer_all, diagnosed_enrolment

pytestmark = [pytest.mark.redis, pytest.mark.django_db]  # reads the keys in Redis itself


def _radar_keys() -> set[str]:
    """The radar keys in Redis (this test process's), without Django's "<prefix>:<version>:"."""
    client = cache._cache.get_client()
    pattern = cache.make_key("diagnostics:radar:*")
    return {k.decode().split(":", 2)[-1] for k in client.keys(pattern)}


@pytest.fixture(autouse=True)
def _empty_radar_cache():
    cache.delete_many(list(_radar_keys()))
    yield
    cache.delete_many(list(_radar_keys()))


def test_a_submitted_diagnosis_radar_is_cached_per_language():
    diagnosis = diagnosed_enrolment(weak=("stocks",)).diagnoses.get()
    first = diagnosis_profile(diagnosis=diagnosis).svg
    assert len(_radar_keys()) == 1
    key = next(iter(_radar_keys()))
    assert f":{diagnosis.pk}:0:{diagnosis.questionnaire_id}:fr:" in key
    # What the cache holds is what the page shows.
    cache.set(key, "<svg>depuis le cache</svg>")
    assert diagnosis_profile(diagnosis=diagnosis).svg == "<svg>depuis le cache</svg>"
    with translation.override("en"):
        english = diagnosis_profile(diagnosis=diagnosis).svg
    assert english != "<svg>depuis le cache</svg>" and "<svg" in english
    assert len(_radar_keys()) == 2
    assert "<svg" in first


def test_a_renamed_theme_is_never_served_stale():
    diagnosis = diagnosed_enrolment(weak=("stocks",)).diagnoses.get()
    diagnosis_profile(diagnosis=diagnosis)
    Theme.objects.filter(code="stocks").update(name="Stocks renommés")
    assert "Stocks renommés" in diagnosis_profile(diagnosis=diagnosis).svg


def test_a_draft_is_not_cached():
    enrolment = diagnosed_enrolment(weak=("stocks",))
    owner = enrolment.company.owner
    draft = diagnosis_start(company=enrolment.company, by=owner, purpose="closing")
    answer_all(draft, weak=(), strong_level=3)
    profile = diagnosis_profile(diagnosis=draft, previous=enrolment.diagnoses.get(pk__lt=draft.pk))
    assert "<svg" in profile.svg
    assert _radar_keys() == set()
