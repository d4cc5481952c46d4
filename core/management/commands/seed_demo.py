"""Load the demo data (idempotent): accounts, the pool, companies at every stage.

Each app contributes a step; steps run in the order below and may read what
earlier steps left in `ctx`. Refuses to run when DEBUG is off.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

DEMO_STEPS = [
    "core.demo.seed_accounts",
    "consultants.demo.seed_pool",
    "enrolment.demo.seed_companies",
    "consultants.demo.seed_missions",
    "agreements.demo.seed_signatures",
    "consultants.demo.seed_mission_work",
    "collective.demo.seed_followups",
    "collective.demo.seed_groups",
    "collective.demo.seed_network",
    "consultants.demo.seed_training",
    "funding.demo.seed_ledger",
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (comptes, consultants, entreprises). Idempotent."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuse de s'exécuter quand DEBUG est désactivé : "
                "les comptes de démonstration n'ont rien à faire sur un site de production."
            )
        ctx: dict = {}
        for step in DEMO_STEPS:
            with transaction.atomic():
                import_string(step)(ctx)
            self.stdout.write(f"  ✓ {step}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
