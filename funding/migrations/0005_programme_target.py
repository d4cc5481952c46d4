"""Reference data: the 2,000-company target by 2010, the 270 milestone, the budget envelope.

The budget envelope is an assumption (the article gives none): 2,000 companies, about
60 % ciblée (4,000 EUR of regional aid) and 40 % approfondie (8,000 EUR): 11.2 MEUR.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    ProgrammeTarget = apps.get_model("funding", "ProgrammeTarget")
    Milestone = apps.get_model("funding", "Milestone")
    target, _ = ProgrammeTarget.objects.update_or_create(
        name="Performance PME",
        defaults={
            "target_enrolments": 2000,
            "starts_on": dt.date(2007, 1, 1),
            "ends_on": dt.date(2010, 12, 31),
            "budget_envelope": Decimal("11200000.00"),
        },
    )
    for due_on, count, label in [
        (dt.date(2007, 4, 30), 270, "Premier jalon : 270 entreprises fin avril"),
        (dt.date(2010, 12, 31), 2000, "Objectif : 2 000 entreprises en 2010"),
    ]:
        Milestone.objects.update_or_create(
            target=target, due_on=due_on, defaults={"enrolments": count, "label": label}
        )


class Migration(migrations.Migration):
    dependencies = [("funding", "0004_ledger_database_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
