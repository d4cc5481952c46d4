"""Recommendation reasons stored before scores were written the French way: "Coûts (10.0 %)"
becomes "Coûts (10,0 %)" in the reasons of French diagnoses (English ones are left alone)."""

import re

from django.db import migrations

DECIMAL_PERCENT = re.compile(r"(\d+)\.(\d+) ?%")
FRENCH_WORDS = ("thème", "recommandé", "entreprise", "faiblesse")


def _french(text: str) -> str:
    if not any(word in text for word in FRENCH_WORDS):
        return text
    return DECIMAL_PERCENT.sub(lambda m: f"{m[1]},{m[2]}\u00a0%", text)


def forwards(apps, schema_editor):
    Diagnosis = apps.get_model("diagnostics", "Diagnosis")
    changed = []
    for diagnosis in Diagnosis.objects.exclude(recommendation={}).only("pk", "recommendation"):
        reasons = (diagnosis.recommendation or {}).get("reasons") or []
        fixed = [_french(r) for r in reasons]
        if fixed != reasons:
            diagnosis.recommendation = {**diagnosis.recommendation, "reasons": fixed}
            changed.append(diagnosis)
    Diagnosis.objects.bulk_update(changed, ["recommendation"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0004_load_questionnaire_v1")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
