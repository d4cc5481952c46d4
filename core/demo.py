"""Demo accounts (password `pme-demo-2007`): admin, director, Region, one staff per relay."""

from __future__ import annotations

import base64
from functools import cache

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Relay, User
from .roles import Role

DEMO_PASSWORD = "pme-demo-2007"  # noqa: S105 - published demo password, DEBUG only
#: The published authenticator key of the demo accounts that require two-factor authentication
#: (director, Region, administrator): add it to an authenticator app, or `oathtool --totp -b KEY`.
DEMO_TOTP_KEY = "PMEDEMOTOTPKEYPERFORMANCEPMEDEMO"  # noqa: S105 - published, DEBUG only


def demo_user(email: str, *, role: str, first_name: str, last_name: str, **extra) -> User:
    """Create a demo account once; later runs leave it as it is."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"role": role, "first_name": first_name, "last_name": last_name, **extra},
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@cache
def _demo_password_hash() -> str:
    """Hashed once per run: the hasher is slow on purpose, the 170 demo accounts share it."""
    return make_password(DEMO_PASSWORD)


def demo_totp_device(user: User):
    """The demo account's authenticator app, with the published key (once)."""

    key_hex = base64.b32decode(DEMO_TOTP_KEY).hex()
    device, _ = TOTPDevice.objects.get_or_create(
        user=user,
        name="Démo (clé publiée)",
        defaults={"key": key_hex, "confirmed": True},
    )
    return device


def seed_accounts(ctx: dict) -> None:
    admin = demo_user(
        "admin@demo.test",
        role=Role.ADMIN,
        first_name="Alice",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
    )
    director = demo_user(
        "direction@demo.test", role=Role.DIRECTOR, first_name="Mario", last_name="Capraro"
    )
    region = demo_user(
        "region@demo.test", role=Role.REGION, first_name="Claire", last_name="Rhône-Alpes"
    )
    for user in (admin, director, region):
        demo_totp_device(user)
    first_names = ["Sophie", "Julien", "Nathalie", "Thomas", "Isabelle", "Laurent", "Céline"]
    relays = Relay.objects.order_by("slug")
    for number, relay in enumerate(relays, start=1):  # the contact owners are told to call
        if not relay.email:
            relay.email = f"inscriptions-{relay.slug}@demo.test"
            relay.phone = relay.phone or f"04 00 00 00 {number:02d}"
            relay.save(update_fields=["email", "phone"])
        if not relay.address:  # printed in the relay block of the agreement
            relay.address = f"{number} rue de l'Industrie\n69003 Lyon"
            relay.save(update_fields=["address"])
    for relay, first in zip(relays, first_names, strict=False):
        demo_user(
            f"relais-{relay.slug}@demo.test",
            role=Role.RELAY_STAFF,
            first_name=first,
            last_name=f"({relay.name})",
            relay=relay,
        )
