"""Demo accounts (password `pme-demo-2007`): admin, director, Region, one staff per relay."""

from __future__ import annotations

from .models import Relay, User
from .roles import Role

DEMO_PASSWORD = "pme-demo-2007"  # noqa: S105 - published demo password, DEBUG only


def demo_user(email: str, *, role: str, first_name: str, last_name: str, **extra) -> User:
    """Create a demo account once; later runs leave it as it is."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"role": role, "first_name": first_name, "last_name": last_name, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_accounts(ctx: dict) -> None:
    demo_user(
        "admin@demo.test",
        role=Role.ADMIN,
        first_name="Alice",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
    )
    demo_user("direction@demo.test", role=Role.DIRECTOR, first_name="Mario", last_name="Capraro")
    demo_user("region@demo.test", role=Role.REGION, first_name="Claire", last_name="Rhône-Alpes")
    first_names = ["Sophie", "Julien", "Nathalie", "Thomas", "Isabelle", "Laurent", "Céline"]
    for relay, first in zip(Relay.objects.order_by("slug"), first_names, strict=False):
        demo_user(
            f"relais-{relay.slug}@demo.test",
            role=Role.RELAY_STAFF,
            first_name=first,
            last_name=f"({relay.name})",
            relay=relay,
        )
