"""Personal data held by the API: the person's tokens (metadata only, never the secret or hash).

Registered with `core.personal_data` from `ApiConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from core.personal_data import Activity, Anonymisation, Person, iso, register_personal_data

from .models import ApiToken


def export(person: Person) -> dict[str, Any]:
    if person.user is None:
        return {"api_tokens": []}
    return {
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": iso(t.created_at),
                "last_used_at": iso(t.last_used_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=person.user)
        ]
    }


def anonymise(ctx: Anonymisation) -> int:
    """Revoke the tokens and forget the names the person gave them."""
    if ctx.person.user is None:
        return 0
    tokens = ApiToken.objects.filter(user=ctx.person.user)
    changed = tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return changed + tokens.exclude(name="Jeton anonymisé").update(name="Jeton anonymisé")


def activity() -> Iterable[Activity]:
    for email, last_used_at in ApiToken.objects.filter(last_used_at__isnull=False).values_list(
        "user__email", "last_used_at"
    ):
        yield email, last_used_at, False


def register() -> None:
    register_personal_data(
        key="api", export=export, anonymise=anonymise, activity=activity, order=90
    )
