"""Reference data: the seven relay organisations and the eight Rhône-Alpes départements.

The département → relay mapping is the default attachment of new companies
(an assumption of ours; staff change it in the admin).
"""

from django.db import migrations

RELAYS = [
    ("afpi", "Afpi", "Association de formation professionnelle de l'industrie"),
    ("cci", "CCI", "Chambre de commerce et d'industrie"),
    ("ceforalp", "Ceforalp", "Ceforalp"),
    ("critt", "Critt", "Centre régional d'innovation et de transfert de technologie"),
    ("pole-productique", "Pôle productique", "Pôle productique Rhône-Alpes"),
    ("thesame", "Thésame", "Thésame, mécatronique et management"),
    ("udimec", "Udimec", "Union des industries métallurgiques, électriques et connexes"),
]

DEPARTEMENTS = [
    ("01", "Ain", "cci"),
    ("07", "Ardèche", "critt"),
    ("26", "Drôme", "critt"),
    ("38", "Isère", "udimec"),
    ("42", "Loire", "pole-productique"),
    ("69", "Rhône", "afpi"),
    ("73", "Savoie", "ceforalp"),
    ("74", "Haute-Savoie", "thesame"),
]


def load(apps, schema_editor):
    Relay = apps.get_model("core", "Relay")
    Departement = apps.get_model("core", "Departement")
    relays = {}
    for slug, name, full_name in RELAYS:
        relays[slug], _ = Relay.objects.update_or_create(
            slug=slug, defaults={"name": name, "full_name": full_name}
        )
    for code, name, relay in DEPARTEMENTS:
        Departement.objects.update_or_create(
            code=code, defaults={"name": name, "in_programme": True, "default_relay": relays[relay]}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
