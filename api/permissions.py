"""Who may write through the API: the same roles as in the portal."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


class PortalRolePermission(BasePermission):
    """Reads: any authenticated user (the queryset is scoped). Writes: the view's
    `write_roles` (per action via `write_roles_by_action`); the Region never writes.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        if user.is_read_only:
            return False
        if user.is_superuser:
            return True
        by_action = getattr(view, "write_roles_by_action", {}) or {}
        roles = by_action.get(getattr(view, "action", None), getattr(view, "write_roles", ()))
        return user.role in roles
