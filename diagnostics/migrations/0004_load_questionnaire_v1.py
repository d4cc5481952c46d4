"""Reference data: version 1 of the self-diagnosis questionnaire (diagnostics/data)."""

import json

from django.db import migrations


def load(apps, schema_editor):
    from diagnostics.services import QUESTIONNAIRE_V1, questionnaire_import

    questionnaire_import(
        data=json.loads(QUESTIONNAIRE_V1.read_text(encoding="utf-8")),
        questionnaire_model=apps.get_model("diagnostics", "Questionnaire"),
        question_model=apps.get_model("diagnostics", "Question"),
        choice_model=apps.get_model("diagnostics", "Choice"),
        theme_model=apps.get_model("diagnostics", "Theme"),
    )


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0003_questionnaire_versions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
