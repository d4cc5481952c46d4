"""The de minimis regulations that applied over the programme's life, with their ceilings."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

REGULATIONS = [
    # code, name, ceiling, window, valid from, valid to
    (
        "ce-1998-2006",
        "Règlement (CE) n° 1998/2006",
        Decimal("200000.00"),
        "fiscal_years",
        dt.date(2007, 1, 1),
        dt.date(2013, 12, 31),
    ),
    (
        "ue-1407-2013",
        "Règlement (UE) n° 1407/2013",
        Decimal("200000.00"),
        "fiscal_years",
        dt.date(2014, 1, 1),
        dt.date(2023, 12, 31),
    ),
    (
        "ue-2023-2831",
        "Règlement (UE) 2023/2831",
        Decimal("300000.00"),
        "rolling_years",
        dt.date(2024, 1, 1),
        None,
    ),
]


def load(apps, schema_editor):
    Regulation = apps.get_model("catalogue", "DeMinimisRegulation")
    existing = set(Regulation.objects.values_list("code", flat=True))
    Regulation.objects.bulk_create(
        Regulation(
            code=code,
            name=name,
            ceiling=ceiling,
            window=window,
            years=3,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for code, name, ceiling, window, valid_from, valid_to in REGULATIONS
        if code not in existing
    )


def unload(apps, schema_editor):
    apps.get_model("catalogue", "DeMinimisRegulation").objects.filter(
        code__in=[r[0] for r in REGULATIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_deminimis_regulation")]

    operations = [migrations.RunPython(load, unload)]
