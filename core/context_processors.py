from .registry import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "account_items": []}
    items = nav_for(user)
    return {
        "nav_items": [i for i in items if i.menu == "main"],
        "account_items": [i for i in items if i.menu == "account"],
    }
