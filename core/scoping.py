"""The one mechanism that decides which objects a user may see.

Every model family's queryset subclasses `ScopedQuerySet` and defines
`for_<role>(user)` for the roles that see part of it; director, Region and
administrator see everything; a role without a method sees nothing.
Views, exports, API endpoints and tasks fetch through `visible_to(user)`,
so a guessed foreign id is a 404.

A role that an app higher up defines the reach of (a consultant sees the companies, the
enrolments and the diagnoses of their missions) registers that scope with
`register_scope()` from its `AppConfig.ready()`, so a lower app never names a higher one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.http import Http404

from .roles import SEE_ALL_ROLES

Scope = Callable[[models.QuerySet, object], models.QuerySet]
_scopes: dict[tuple[str, str], Scope] = {}


def register_scope(*, model: str, role: str, scope: Scope) -> None:
    """What `role` sees of `model` ("app.model"), defined by an app above the model's app."""
    _scopes[(model.lower(), role)] = scope


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in SEE_ALL_ROLES:
            return self.all()
        scope = _scopes.get((self.model._meta.label_lower, user.role))
        if scope is not None:
            return scope(self, user)
        method = getattr(self, f"for_{user.role}", None)
        return method(user) if method else self.none()


class CompanyScopedQuerySet(ScopedQuerySet):
    """Objects that belong to one company: its owner and its relay's staff see them.

    `company_path` is the lookup from the model to the company ("" for the company itself);
    `relay_path`, to the company's relay, when a shorter way than through the company exists
    (an enrolment carries a copy of its company's relay).
    """

    company_path = "company"
    relay_path: str | None = None

    def _company(self, lookup: str) -> str:
        return f"{self.company_path}__{lookup}" if self.company_path else lookup

    def for_owner(self, user):
        return self.filter(**{self._company("owner"): user})

    def for_relay_staff(self, user):
        return self.filter(**{self.relay_path or self._company("relay_id"): user.relay_id})


def get_visible_or_404(queryset: models.QuerySet, user, **lookup):
    """Fetch one object through the user's scope, or raise 404 (never 403: no leak)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Aucun objet correspondant ou accès non autorisé.")
