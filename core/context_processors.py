from .registry import nav_links_for
from .roles import role_flags


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "account_items": []}
    items = nav_links_for(user)
    return {
        "nav_items": [i for i in items if i.menu == "main"],
        "account_items": [i for i in items if i.menu == "account"],
    }


def roles(request):
    """`roles.staff`, `roles.aid_approver`…: the named role sets of core.roles, for templates."""
    return {"roles": role_flags(getattr(request, "user", None))}
