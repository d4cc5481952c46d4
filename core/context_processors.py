from .registry import nav_links_for
from .roles import role_flags


def navigation(request):
    """The user's menus, counted once per request: django-tables2's `render_table` renders its
    template with the request again, and each badge (unread messages…) is a query."""
    cached = getattr(request, "_navigation", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "account_items": []}
    items = nav_links_for(user)
    request._navigation = {
        "nav_items": [i for i in items if i.menu == "main"],
        "account_items": [i for i in items if i.menu == "account"],
    }
    return request._navigation


def roles(request):
    """`roles.staff`, `roles.aid_approver`…: the named role sets of core.roles, for templates."""
    return {"roles": role_flags(getattr(request, "user", None))}
