"""What each app contributes to shared pages: navigation links and home-page panels.

Apps register from their `AppConfig.ready()`, so core never imports them and
each role's menu and home page are assembled from the apps that serve it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 50
    menu: str = "main"  # "main" (the navigation bar) or "account" (the user's menu)
    #: `badge(user)`: a count shown next to the label (unread messages), None or 0 for none
    badge: Callable[..., int | None] | None = field(default=None, compare=False)
    #: what the count means, for screen readers ("messages non lus")
    badge_label: str = ""


@dataclass(frozen=True)
class NavLink:
    """A navigation item as one user sees it: with its badge's count."""

    item: NavItem
    badge: int = 0

    @property
    def label(self) -> str:
        return self.item.label

    @property
    def url_name(self) -> str:
        return self.item.url_name

    @property
    def menu(self) -> str:
        return self.item.menu

    @property
    def badge_label(self) -> str:
        return self.item.badge_label


@dataclass(frozen=True)
class HomePanel:
    template: str
    roles: frozenset[str]
    context: Callable[..., dict] = field(default=lambda user: {})
    order: int = 50


_nav: list[NavItem] = []
_panels: list[HomePanel] = []
_role_homes: dict[str, str] = {}


def register_role_home(*, role: str, url_name: str) -> None:
    """Send a role to its own page after login instead of the panels (the Region: dashboard)."""
    _role_homes[role] = url_name


def role_home_for(user) -> str | None:
    return None if user.is_superuser else _role_homes.get(user.role)


def register_nav(
    *,
    label: str,
    url_name: str,
    roles,
    order: int = 50,
    menu: str = "main",
    badge: Callable[..., int | None] | None = None,
    badge_label: str = "",
) -> None:
    item = NavItem(
        label=label,
        url_name=url_name,
        roles=frozenset(roles),
        order=order,
        menu=menu,
        badge=badge,
        badge_label=badge_label,
    )
    if item not in _nav:
        _nav.append(item)


def register_home_panel(*, template: str, roles, context=None, order: int = 50) -> None:
    if any(p.template == template for p in _panels):
        return
    _panels.append(
        HomePanel(
            template=template,
            roles=frozenset(roles),
            context=context or (lambda user: {}),
            order=order,
        )
    )


def nav_for(user) -> list[NavItem]:
    role = "admin" if user.is_superuser else user.role
    return sorted((i for i in _nav if role in i.roles), key=lambda i: i.order)


def nav_links_for(user) -> list[NavLink]:
    """The user's navigation with each item's badge counted (one query per badge shown)."""
    return [
        NavLink(item=i, badge=(i.badge(user) or 0) if i.badge is not None else 0)
        for i in nav_for(user)
    ]


def panels_for(user) -> list[tuple[str, dict]]:
    role = "admin" if user.is_superuser else user.role
    panels = sorted((p for p in _panels if role in p.roles), key=lambda p: p.order)
    return [(p.template, p.context(user)) for p in panels]


# --- Sections of a company's page --------------------------------------------------------------


@dataclass(frozen=True)
class CompanySection:
    template: str
    context: Callable[..., dict]
    order: int = 50


_company_sections: list[CompanySection] = []


def register_company_section(*, template: str, context, order: int = 50) -> None:
    """A block of the company's page from an app above enrolment (seminars, pilots' training).

    `context(company)` returns what the template reads as `section`; the page already scoped
    the company to the user.
    """
    if any(s.template == template for s in _company_sections):
        return
    _company_sections.append(CompanySection(template=template, context=context, order=order))


def company_sections_for(company) -> list[tuple[str, dict]]:
    sections = sorted(_company_sections, key=lambda s: s.order)
    return [(s.template, s.context(company)) for s in sections]
