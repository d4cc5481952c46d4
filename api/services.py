"""Creating, revoking and checking personal API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError

from .models import ApiToken

TOKEN_PREFIX = "ppme"
MAX_ACTIVE_TOKENS = 10


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with the raw secret (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise BusinessRuleError(_("Donnez un nom à ce jeton."), field="name")
    if ApiToken.objects.owned_by(user).active().count() >= MAX_ACTIVE_TOKENS:
        raise BusinessRuleError(
            _("Vous avez déjà %(n)d jetons actifs : révoquez-en un d'abord.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token matching `raw` (its user loaded), or None. Records its last use."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__relay")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)):
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token
