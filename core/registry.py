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


def register_nav(*, label: str, url_name: str, roles, order: int = 50, menu: str = "main") -> None:
    item = NavItem(label=label, url_name=url_name, roles=frozenset(roles), order=order, menu=menu)
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
