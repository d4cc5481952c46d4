"""Signed, expiring links for people without an account (follow-ups, satisfaction surveys).

One home for the mechanism: a token carries a small payload signed with a timestamp and a
salt per kind of link; opening it refuses an expired or tampered token with a French message.
Each caller then checks that the payload names the object of the URL (a foreign link).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .emails import PortalEmail
from .exceptions import BusinessRuleError


class SignedLinkError(BusinessRuleError):
    """A link that cannot be used; `reason` names why (for the page and the tests)."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def link_token(payload: dict, *, salt: str) -> str:
    """A signed token (with its timestamp) for `payload`."""
    return signing.dumps(payload, salt=salt, compress=True)


def link_payload(
    token: str,
    *,
    salt: str,
    max_age_days: int,
    expired_message: str | None = None,
    tampered_message: str | None = None,
) -> dict:
    """The payload of a token, or SignedLinkError (reason "expired" or "tampered")."""
    try:
        data = signing.loads(token, salt=salt, max_age=dt.timedelta(days=max_age_days))
    except signing.SignatureExpired:
        raise SignedLinkError(
            expired_message
            or _(
                "Ce lien a expiré. Demandez-en un nouveau à votre structure relais : "
                "elle peut vous le renvoyer en un clic."
            ),
            reason="expired",
        )
    except signing.BadSignature:
        raise SignedLinkError(
            tampered_message
            or _(
                "Ce lien n'est pas valide : il a été modifié ou copié incomplètement. "
                "Utilisez le lien exact reçu par e-mail."
            ),
            reason="tampered",
        )
    if not isinstance(data, dict):
        raise SignedLinkError(tampered_message or _("Ce lien n'est pas valide."), reason="tampered")
    return data


def link_mail_to_owner(*, company, templates: str, context: dict) -> None:
    """E-mail a signed link to the company's owner: `<templates>/link_subject.txt` and
    `link_body.txt` rendered with `context` (plus the company); refused without an address."""
    if company.owner_id is None or not company.owner.email:
        raise BusinessRuleError(
            _("L'entreprise n'a pas de chef d'entreprise avec une adresse e-mail.")
        )
    context = {"company": company, **context}
    PortalEmail(
        subject=render_to_string(f"{templates}/link_subject.txt", context).strip(),
        body=render_to_string(f"{templates}/link_body.txt", context),
        to=[company.owner.email],
    ).send()
