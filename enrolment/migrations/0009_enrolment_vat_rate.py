"""The VAT rate is frozen on the enrolment at validation (catalogue.pricing's rule).

Enrolments validated before this migration get the rate that was in force on their
validation day. The VAT rates are read from their table (funding_vatrate, kept by
catalogue.VatRate) with
SQL, so the backfill does not depend on the model's history.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations, models


def freeze_vat_rates(apps, schema_editor):
    Enrolment = apps.get_model("enrolment", "Enrolment")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT rate, valid_from, valid_to FROM funding_vatrate ORDER BY valid_from DESC")
        rates = cursor.fetchall()
    for rate, valid_from, valid_to in rates:
        validated = Enrolment.objects.filter(
            vat_rate__isnull=True,
            validated_at__gte=dt.datetime.combine(valid_from, dt.time.min, tzinfo=tz),
        )
        if valid_to is not None:
            end = dt.datetime.combine(valid_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            validated = validated.filter(validated_at__lt=end)
        validated.update(vat_rate=rate)


FIELD = models.DecimalField(
    blank=True,
    decimal_places=2,
    help_text="Le taux en vigueur le jour de la validation par le relais ; conservé ensuite (convention, comptabilité).",
    max_digits=5,
    null=True,
    verbose_name="taux de TVA appliqué (%)",
)


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0008_models_moved_out"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="enrolment", name="vat_rate", field=FIELD),
        migrations.AddField(model_name="historicalenrolment", name="vat_rate", field=FIELD),
        migrations.RunPython(freeze_vat_rates, migrations.RunPython.noop, elidable=True),
    ]
