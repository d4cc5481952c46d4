"""The reference data loaded by migrations matches the domain page; pages keep it in memory
until a row changes (`core.reference`)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import caches
from zeal import zeal_ignore

from catalogue.models import DeMinimisRegulation, Offer
from catalogue.selectors import deminimis_regulation_in_force, tariff_in_force, vat_rate_in_force
from core.models import Departement, Relay, User
from core.reference import attach_reference
from diagnostics.models import Theme
from diagnostics.selectors import all_themes

pytestmark = pytest.mark.django_db


def test_seven_relays():
    assert set(Relay.objects.values_list("name", flat=True)) == {
        "Afpi",
        "CCI",
        "Ceforalp",
        "Critt",
        "Pôle productique",
        "Thésame",
        "Udimec",
    }


def test_eight_departements_each_attached_to_a_relay():
    deps = dict(Departement.objects.values_list("code", "name"))
    assert deps == {
        "01": "Ain",
        "07": "Ardèche",
        "26": "Drôme",
        "38": "Isère",
        "42": "Loire",
        "69": "Rhône",
        "73": "Savoie",
        "74": "Haute-Savoie",
    }
    assert not Departement.objects.filter(default_relay__isnull=True).exists()


@pytest.mark.parametrize(
    "code, months, half_days, pilots, company, region, training",
    [
        ("ciblee", 4, 8, 1, Decimal("2440.00"), Decimal("4000.00"), False),
        ("approfondie", 12, 14, 2, Decimal("4540.00"), Decimal("8000.00"), True),
    ],
)
def test_current_tariffs(code, months, half_days, pilots, company, region, training):
    tariff = tariff_in_force(offer=Offer.objects.get(code=code), on=dt.date(2026, 11, 28))
    assert (tariff.duration_months, tariff.half_days, tariff.pilots) == (months, half_days, pilots)
    assert tariff.company_contribution_ht == company
    assert tariff.regional_aid_ht == region
    assert tariff.includes_training is training


def test_historical_ppj_tariff():
    ppj = Offer.objects.get(code="ppj")
    assert not ppj.is_open
    assert tariff_in_force(offer=ppj, on=dt.date(2026, 1, 1)) is None
    tariff = tariff_in_force(offer=ppj, on=dt.date(2002, 6, 1))
    assert tariff.duration_months == 12
    assert tariff.company_contribution_ht == Decimal("3050.00")


def test_vat_is_dated():
    assert vat_rate_in_force(on=dt.date(2026, 11, 28)) == Decimal("20.00")
    assert vat_rate_in_force(on=dt.date(2007, 4, 3)) == Decimal("19.60")


@pytest.fixture
def reference_cache(settings):
    """The reference data kept in memory, as in production (the tests read it each time)."""
    settings.REFERENCE_CACHE_SECONDS = 60
    caches["reference"].clear()
    yield
    caches["reference"].clear()


def test_themes_are_read_once_then_a_renamed_theme_is_read_again(
    reference_cache, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first = all_themes()
    with django_assert_num_queries(0):
        assert [t.code for t in all_themes()] == [t.code for t in first]
    theme = Theme.objects.get(code="stocks")
    theme.name = "Stocks et en-cours"
    theme.save()
    with django_assert_num_queries(1):
        assert {t.code: t.name for t in all_themes()}["stocks"] == "Stocks et en-cours"


def test_a_new_regulation_applies_at_once_in_the_process_that_added_it(reference_cache):
    day = dt.date(2031, 6, 1)
    current = deminimis_regulation_in_force(on=day)
    new = DeMinimisRegulation.objects.create(
        code="ue-2031-test",
        name="Règlement (UE) 2031/1",
        ceiling=Decimal("400000.00"),
        window=current.window,
        years=current.years,
        valid_from=dt.date(2031, 1, 1),
    )
    assert deminimis_regulation_in_force(on=day) == new
    new.delete()
    assert deminimis_regulation_in_force(on=day) == current


def test_attached_rows_come_from_memory_until_one_changes(
    reference_cache, django_assert_num_queries
):
    """`attach_reference` gives a foreign key its row as `select_related` would: read once,
    then from memory; a renamed relay is read again."""
    relay = Relay.objects.order_by("pk").first()
    first, second, nobody = (User(email=f"{n}@test.example", relay_id=relay.pk) for n in "abc")
    nobody.relay_id = None
    with django_assert_num_queries(1):
        attach_reference(first, "relay")
    with django_assert_num_queries(0):
        attach_reference(second, "relay")
        attach_reference(nobody, "relay")
    assert first.relay == second.relay == relay and nobody.relay is None
    relay.name = f"{relay.name} (renommé)"
    relay.save()
    with django_assert_num_queries(1), zeal_ignore():  # the same row read again, on purpose
        attach_reference(second, "relay")
    assert second.relay.name == relay.name
