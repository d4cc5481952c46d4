"""Browser journeys in Debian's Chromium, driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def sized_page(browser, live_server, viewport: dict | None = None):
    """A fresh browser context (French, on the live server, of `viewport` if given) and its page."""
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, **({"viewport": viewport} if viewport else {})
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = sized_page(browser, live_server)
    yield page
    context.close()


def sign_in(page, email: str, password: str = "pme-demo-2007"):
    """The login form, then the second step when the portal asks for it."""
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    otp_step(page, email)
    return page


@pytest.fixture
def login(page):
    def _login(email: str, password: str = "pme-demo-2007"):
        return sign_in(page, email, password)

    return _login


def totp_code(email: str) -> str:
    """The current code of the user's authenticator app (their confirmed TOTP device).

    A code is accepted once: after a login in the same 30 s window, the next window's code
    (within the device's ±1 step tolerance) is given instead.
    """
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    assert device is not None, f"{email} n'a pas d'application d'authentification"
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        ahead = (device.last_t or -1) + 1 - totp.t()
        if ahead <= device.tolerance:
            totp.drift += max(ahead, 0)
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


def otp_step(page, email: str) -> None:
    """The second step of the login when the portal asks for it: code, or first set-up."""
    import base64

    from django_otp.oath import TOTP

    if "/compte/verification/" in page.url:
        page.get_by_label("Code de vérification").fill(totp_code(email))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state()
    elif "/compte/double-authentification/" in page.url:
        secret = page.locator("#otp-secret").inner_text().strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.get_by_label("Code affiché par l'application").fill(f"{TOTP(key).token():06d}")
        page.get_by_role("button", name="Activer").click()
        page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
        page.wait_for_load_state()


@pytest.fixture
def logout(page):
    def _logout():
        page.locator("#account-menu").click()
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_load_state()

    return _logout
