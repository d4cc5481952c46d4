"""Reference data: the themes the method acts on (diagnosis axes and consultant specialties)."""

from django.db import migrations

THEMES = [
    ("reactivite_commerciale", "Réactivité commerciale"),
    ("delais", "Délais"),
    ("couts", "Coûts"),
    ("qualite", "Qualité"),
    ("stocks", "Stocks"),
    ("achats", "Achats"),
    ("maintenance", "Maintenance des équipements"),
    ("organisation", "Organisation"),
    ("conduite_changement", "Conduite du changement"),
]


def load(apps, schema_editor):
    Theme = apps.get_model("diagnostics", "Theme")
    for position, (code, name) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
