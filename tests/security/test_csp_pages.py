"""Every HTML page, for each role, carries the Content Security Policy and runs no inline code."""

from __future__ import annotations

import pytest
from zeal import zeal_ignore

from core.models import User

from .crawl import crawl, csp_directives, inspect_html

pytestmark = pytest.mark.django_db

ROLES = [
    "admin@demo.test",
    "direction@demo.test",
    "region@demo.test",
    "relais-thesame@demo.test",
    "consultant01@demo.test",
    "formateur01@demo.test",
    "entreprise05@demo.test",
]
# Pages whose HTML a crawl of links does not reach (forms, JavaScript pages, API docs).
EXTRA = {
    "admin@demo.test": [
        "/admin/",
        "/admin/enrolment/enrolment/",
        "/api/v1/docs/",
    ],
    "relais-thesame@demo.test": ["/conventions/generation/"],
}


# Inline styles allowed on one page (docs/securite.md, « En-têtes et politique de contenu »): the e-mail preview keeps the e-mails'
# style attributes. Scripts stay 'self' everywhere.
STYLE_EXCEPTIONS = ("/exploitation/courriels/",)


def assert_page_is_csp_clean(path: str, response, html: str) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{path}: pas d'en-tête Content-Security-Policy"
    policy = csp_directives(header)
    assert policy["script-src"] == ["'self'"], (path, header)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"], (path, header)
    assert "'unsafe-eval'" not in policy["script-src"], (path, header)
    if not path.startswith(STYLE_EXCEPTIONS):
        assert "'unsafe-inline'" not in policy["style-src"], (path, header)
    found = inspect_html(html)
    assert found.inline_scripts == [], f"{path}: script en ligne {found.inline_scripts}"
    assert found.handlers == [], f"{path}: gestionnaires on* {found.handlers}"
    assert found.javascript_urls == [], f"{path}: URL javascript: {found.javascript_urls}"
    assert found.style_attributes == [], f"{path}: attributs style {found.style_attributes}"
    nonces = [f"'nonce-{n}'" for n in found.style_elements]
    assert all(n in policy["style-src"] for n in nonces), f"{path}: <style> sans nonce valide"


def test_every_page_of_every_role_carries_the_csp_and_no_inline_script(demo_db, client, settings):
    settings.DEBUG = True
    seen = {}
    users = User.objects.in_bulk(ROLES, field_name="email")
    for email in ROLES:
        client.force_login(users[email])
        start = ["/accueil/", *EXTRA.get(email, [])]
        for path, response, html in crawl(client, start, max_pages=30):
            assert_page_is_csp_clean(path, response, html)
            seen.setdefault(email, []).append(path)
        with zeal_ignore():  # logging out looks the user up once more
            client.logout()
    for path, response, html in crawl(client, ["/", "/accounts/login/", "/inscription/"]):
        assert_page_is_csp_clean(path, response, html)
        seen.setdefault("anonymous", []).append(path)
    # the crawl really went through the portal, and through the pages that have scripts
    assert all(len(seen[e]) >= 5 for e in ROLES), {e: len(p) for e, p in seen.items()}
    everything = [p for paths in seen.values() for p in paths]
    assert any(p.startswith("/api/v1/docs/") for p in everything)
    assert any(p.startswith("/inscriptions/") for p in everything)
    assert len(everything) >= 100, len(everything)
    print({e: len(p) for e, p in seen.items()})
