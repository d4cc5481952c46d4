"""The programme-wide consultant half-day rate, used for accruals when a consultant has none.

Assumption (the domain page leaves it open): 805 EUR HT, the rate of the architecture's
worked example, where 8 half-days of a ciblée cost exactly what it earns (8 × 805 =
2,440 + 4,000). Staff change it on the tariff (a used tariff is closed and replaced).
"""

from decimal import Decimal

from django.db import migrations

RATE = Decimal("805.00")


def load(apps, schema_editor):
    Tariff = apps.get_model("funding", "Tariff")
    Tariff.objects.filter(
        offer__code__in=["ciblee", "approfondie"], consultant_half_day_rate__isnull=True
    ).update(consultant_half_day_rate=RATE)


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_programme_target")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
