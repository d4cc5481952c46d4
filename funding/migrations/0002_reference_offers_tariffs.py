"""Reference data: the offers and their tariffs, exactly as in the domain page, and VAT.

PPJ (1999-2004) is kept as a historical, closed offer: 12 months at a direct
cost of 3,050 EUR for the company, co-funded by the State, the Region and the
FSE; the article gives neither the funders' shares nor the half-day count,
so they are recorded as zero / unknown.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

OFFERS = [
    # code, name, open, position, description
    ("ciblee", "Performance ciblée", True, 1,
     "Un problème aigu (stocks, achats, maintenance…), un consultant, un plan d'action. "
     "Pour les petites entreprises qui n'ont jamais fait appel à un consultant."),
    ("approfondie", "Performance approfondie", True, 2,
     "Un diagnostic, deux ou trois problématiques clés déclinées en plusieurs plans d'action, "
     "un binôme de pilotes formés à la conduite du changement."),
    ("ppj", "Production au plus juste (PPJ)", False, 9,
     "Programme historique (1999-2004) : méthodes d'organisation inspirées de Toyota, "
     "douze mois par entreprise, cofinancé par l'État, la Région et le FSE."),
]

TARIFFS = [
    # offer, valid_from, valid_to, months, half_days, pilots, training, company, region
    ("ciblee", dt.date(2007, 1, 1), None, 4, 8, 1, False, Decimal("2440.00"), Decimal("4000.00")),
    ("approfondie", dt.date(2007, 1, 1), None, 12, 14, 2, True, Decimal("4540.00"), Decimal("8000.00")),
    ("ppj", dt.date(1999, 1, 1), dt.date(2004, 12, 31), 12, None, None, False, Decimal("3050.00"), Decimal("0.00")),
]

VAT = [
    (Decimal("19.60"), dt.date(2000, 4, 1), dt.date(2013, 12, 31)),
    (Decimal("20.00"), dt.date(2014, 1, 1), None),
]


def load(apps, schema_editor):
    Offer = apps.get_model("funding", "Offer")
    Tariff = apps.get_model("funding", "Tariff")
    VatRate = apps.get_model("funding", "VatRate")
    offers = {}
    for code, name, is_open, position, description in OFFERS:
        offers[code], _ = Offer.objects.update_or_create(
            code=code,
            defaults={"name": name, "is_open": is_open, "position": position, "description": description},
        )
    for code, start, end, months, half_days, pilots, training, company, region in TARIFFS:
        Tariff.objects.update_or_create(
            offer=offers[code],
            valid_from=start,
            defaults={
                "valid_to": end,
                "duration_months": months,
                "half_days": half_days,
                "pilots": pilots,
                "includes_training": training,
                "company_contribution_ht": company,
                "regional_aid_ht": region,
            },
        )
    for rate, start, end in VAT:
        VatRate.objects.update_or_create(valid_from=start, defaults={"rate": rate, "valid_to": end})


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
