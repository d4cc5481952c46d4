"""The authorization matrix: every URL pattern × every role × own / foreign object.

The patterns come from the URL resolver (recursively, admin, API, i18n and auth pages
included), so a new page cannot escape: a pattern without an expectation in
tests/core/authz_matrix.py fails, naming it. The fixture world (tests/core/authz_world.py) is
built once for the module, inside a transaction rolled back at the end; every request runs in
its own savepoint, so a POST or a GET that starts something changes nothing for the next one.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, reverse
from zeal import zeal_ignore

from tests.conftest import OTPClient
from tests.core.authz_matrix import ADMIN, DIRECTOR, EXPECTATIONS, LOGIN, Expect
from tests.core.authz_world import FOREIGN_MARKER, LOGGED_IN, ROLES, build_world

pytestmark = pytest.mark.django_db

#: side-A roles whose pages must never show the foreign company
SCOPED_ROLES = frozenset({"owner", "relay_staff", "consultant", "trainer"})
DENIED = frozenset({403, 404})
CASES: Counter = Counter()


# --- every URL pattern of the project ------------------------------------------------------


@dataclass(frozen=True)
class UrlEntry:
    key: str  # "namespace:name", or the full route of an unnamed pattern
    route: str
    name: str | None

    def __str__(self) -> str:
        return self.key


def url_entries() -> list[UrlEntry]:
    """Every URL pattern reachable from the root URLconf, through every include."""
    found: list[UrlEntry] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                found.append(UrlEntry(key=name or route, route=route, name=name))

    walk(get_resolver().url_patterns, "", None)
    counts = Counter(e.key for e in found)
    return [
        UrlEntry(key=f"{e.key} [{e.route}]", route=e.route, name=e.name) if counts[e.key] > 1 else e
        for e in found
    ]


URL_ENTRIES = url_entries()


def is_admin(entry: UrlEntry) -> bool:
    return entry.key.startswith("admin:") or entry.route.startswith("admin/")


def expectation_for(entry: UrlEntry) -> Expect | None:
    return EXPECTATIONS.get(entry.key)


# --- the world, the clients ----------------------------------------------------------------


@dataclass
class Matrix:
    world: object
    portal: dict  # role -> Client (session), "anonymous" included
    api: dict  # role -> Client sending the role's API token
    media_root: object


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("media")
    mail_dir = tmp_path_factory.mktemp("mail")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, EMAIL_FILE_PATH=mail_dir),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with zeal_ignore():
                world = build_world(mail_dir=mail_dir)
                portal = {"anonymous": Client()}
                api = {"anonymous": Client()}
                for role, user in world.users.items():
                    portal[role] = OTPClient()  # past the second factor, as in production
                    portal[role].force_login(user)
                    _mark_password_typed(portal[role])
                    api[role] = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
            cache.clear()  # API rate-limit counters
            yield Matrix(world=world, portal=portal, api=api, media_root=media_root)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
    print(f"\nauthorization matrix: {sum(CASES.values())} cases asserted ({dict(CASES)})")


def _mark_password_typed(client) -> None:
    """As after a real login: the password was typed just now (pages asking to confirm it
    before a sensitive action then answer as they do for a user who just logged in)."""
    try:
        from core.reauth import SESSION_AUTH_AT
    except ImportError:  # before re-authentication existed
        return
    session = client.session
    session[SESSION_AUTH_AT] = time.time()
    session.save()


def _request(client: Client, method: str, url: str, data=None, *, api: bool = False):
    """One request in its own savepoint: whatever it changes is undone."""
    with transaction.atomic():
        try:
            if method == "get":
                response = client.get(url)
            elif api:
                response = client.post(url, json.dumps(data or {}), content_type="application/json")
            else:
                response = client.post(url, data or {})
        finally:
            transaction.set_rollback(True)
    return response


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json", "image/svg")):
        return ""
    return response.content.decode(errors="replace")


def _own_pks(world) -> dict:
    return {kind: obj.own.get("pk") for kind, obj in world.objects.items()}


class Checker:
    def __init__(self, entry: UrlEntry, world):
        self.entry = entry
        self.world = world
        self.failures: list[str] = []

    def check(self, role, side, method, url, response, want, ok: bool) -> None:
        CASES[method] += 1
        if not ok:
            location = response.get("Location", "")
            self.failures.append(
                f"{self.entry.key}: {role} {method.upper()} {side} {url} → "
                f"{response.status_code}{' ' + location if location else ''}; expected {want}"
            )


def _outcome(response, want, *, login_url: str) -> bool:
    code = response.status_code
    if want == LOGIN:
        return code == 302 and response["Location"].startswith(f"{login_url}?next=")
    if want == "denied":
        return code in DENIED
    if isinstance(want, tuple) and want[0] == "one of":
        return code in want[1]
    if isinstance(want, tuple):  # ("redirect", url)
        return code == 302 and response["Location"] == want[1]
    if want == "allowed":
        return code not in {401, 403, 404, 405} and code < 500
    return code == want


# --- one test per URL pattern --------------------------------------------------------------


def test_every_url_pattern_has_an_expectation():
    missing = [
        f"{e.key}  (route {e.route!r})"
        for e in URL_ENTRIES
        if not is_admin(e) and expectation_for(e) is None
    ]
    assert not missing, (
        "URL patterns without an expectation in tests/core/authz_matrix.py "
        "(add one line per pattern):\n  " + "\n  ".join(missing)
    )


def test_every_expectation_names_an_existing_pattern():
    keys = {e.key for e in URL_ENTRIES}
    stale = sorted(set(EXPECTATIONS) - keys)
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"


@pytest.mark.parametrize("entry", [e for e in URL_ENTRIES if not is_admin(e)], ids=str)
def test_portal_and_api_pattern(entry, matrix, settings):
    settings.MEDIA_ROOT = matrix.media_root
    expect = expectation_for(entry)
    if expect is None:
        pytest.fail(
            f"URL pattern {entry.key!r} (route {entry.route!r}) has no expectation in "
            "tests/core/authz_matrix.py: add one line saying who may open it."
        )
    checker = Checker(entry, matrix.world)
    obj = matrix.world.objects.get(expect.obj) if expect.obj else None
    sides = ("own",) if obj is None or obj.foreign == obj.own else ("own", "foreign")
    login_url = reverse("login")
    clients = matrix.api if expect.api else matrix.portal
    for role in ROLES:
        for side in sides:
            if side == "foreign" and role not in expect.ok and expect.anonymous == LOGIN:
                continue  # refused their own object already: the foreign one adds nothing
            kwargs = dict(expect.kwargs)
            if obj is not None:
                kwargs.update(obj.kwargs(role, side))
            url = reverse(entry.name, kwargs=kwargs) + expect.query
            _check_role(checker, expect, role, side, clients[role], url, login_url)
    assert not checker.failures, "\n".join(checker.failures)


def _check_get(checker, role, side, client, url, want_get, login_url, expect) -> None:
    response = _request(client, "get", url)
    checker.check(
        role,
        side,
        "get",
        url,
        response,
        want_get,
        _outcome(response, want_get, login_url=login_url),
    )
    if (
        response.status_code == 200
        and side == "own"
        and role in SCOPED_ROLES
        and role not in expect.foreign_ok
        and FOREIGN_MARKER in _body(response)
    ):
        checker.failures.append(f"{checker.entry.key}: {role} sees the foreign company on {url}")


def _check_role(checker, expect: Expect, role, side, client, url, login_url) -> None:
    anonymous = role == "anonymous"
    allowed = role in expect.ok and (side == "own" or role in expect.foreign_ok)
    if anonymous:
        refused = 401 if expect.api else LOGIN
        want_get = refused if expect.anonymous == LOGIN else expect.anonymous
        if side == "foreign" and expect.anonymous != LOGIN and not expect.foreign_ok:
            want_get = expect.foreign_status
    elif expect.post_only:
        want_get = 405
    elif allowed:
        want_get = expect.status_for(role)
    elif role in expect.ok:  # an allowed role, a foreign object
        want_get = expect.foreign_status
    else:
        want_get = "denied"
    sampled_out = False
    if expect.heavy and not anonymous and want_get == expect.status_for(role):
        sample = [
            r for r in LOGGED_IN if r in expect.ok and (side == "own" or r in expect.foreign_ok)
        ]
        sampled_out = role != sample[0]
    if not sampled_out:
        _check_get(checker, role, side, client, url, want_get, login_url, expect)
    if expect.post_only or (expect.writers is not None and role in expect.ok):
        if anonymous:
            want_post = 401 if expect.api else LOGIN
        elif expect.post_only:
            want_post = "allowed" if allowed else (404 if role in expect.ok else "denied")
        else:  # a GET+POST page: only the writers may post
            want_post = "allowed" if allowed and role in expect.writers else "denied"
        if expect.post_only or side == "own" or want_post != "allowed":
            data = {
                k: v.format(**_own_pks(checker.world)) if isinstance(v, str) else v
                for k, v in expect.data.items()
            }
            response = _request(client, "post", url, data, api=expect.api)
            checker.check(
                role,
                side,
                "post",
                url,
                response,
                want_post,
                _outcome(response, want_post, login_url=login_url),
            )


# --- the admin: one grouped rule ------------------------------------------------------------
#
# Every `admin:` pattern (and the admin's unnamed ones): anonymous and every non-staff role are
# sent to the admin's login page; the administrator gets the changelists, the add pages (403
# where the ModelAdmin forbids adding), the change / history / delete pages of an existing
# object (403 where deleting is forbidden), the app and site pages.

#: an unknown object: the admin sends it back to its index (302), the history admin says 404
ABSENT = ("one of", frozenset({302, 404}))
ADMIN_SITE_PAGES = {
    "admin:index": 200,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:jsi18n": 200,
}


def _admin_model_case(entry: UrlEntry, request) -> tuple[str, int] | None:
    for model, model_admin in admin.site._registry.items():
        app, name = model._meta.app_label, model._meta.model_name
        prefix, old_change_route = f"admin:{app}_{name}_", f"admin/{app}/{name}/<path:object_id>/"
        if not (entry.name or "").startswith(prefix) and entry.route != old_change_route:
            continue  # another model's pattern
        obj = model._default_manager.order_by("pk").first()
        object_id = str(obj.pk) if obj is not None else "0"
        if entry.name == f"admin:{app}_{name}_simple_history":  # one past version
            record = obj.history.order_by("history_id").first() if obj is not None else None
            if record is None:
                return reverse(entry.name, args=["0", "0"]), ABSENT
            return reverse(entry.name, args=[object_id, record.history_id]), 200
        if entry.name and entry.name.startswith(prefix):
            view = entry.name.rsplit("_", 1)[1]
            if view == "changelist":
                return reverse(entry.name), 200
            if view == "add":
                return reverse(entry.name), 200 if model_admin.has_add_permission(request) else 403
            url = reverse(entry.name, args=[object_id])
            if view == "delete" and not model_admin.has_delete_permission(request, obj):
                return url, 403
            if obj is None:
                return url, ABSENT
            return url, 200
        if entry.name is None and entry.route == old_change_route:
            return f"/admin/{app}/{name}/{object_id}/", 302  # the old change URL redirects
    return None


def admin_case(entry: UrlEntry, admin_user) -> tuple[str, int]:
    """The URL to open for an admin pattern and the administrator's expected answer."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    if entry.key in ADMIN_SITE_PAGES:
        return reverse(entry.name), ADMIN_SITE_PAGES[entry.key]
    case = _admin_model_case(entry, request)
    if case is not None:
        return case
    if entry.key == "admin:auth_user_password_change":  # the user admin's password form
        return reverse(entry.name, args=[admin_user.pk]), 200
    if entry.key == "admin:app_list":
        return reverse(entry.name, kwargs={"app_label": "enrolment"}), 200
    if entry.key == "admin:autocomplete":
        return reverse(entry.name), 403  # without a field to complete
    if entry.key == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        from core.models import Relay

        relay = Relay.objects.first()
        ct = ContentType.objects.get_for_model(Relay)
        return reverse(entry.name, args=[ct.pk, relay.pk]), 404  # no public page for it
    if entry.key in {"admin:login", "admin:logout"}:
        return reverse(entry.name), 302 if entry.key == "admin:login" else 405
    if entry.name is None and entry.route.endswith("(?P<url>.*)$"):
        return "/admin/no-such-page/", 404  # the admin's catch-all
    raise AssertionError(
        f"admin URL pattern {entry.key!r} (route {entry.route!r}) is not covered by the admin "
        "rule of tests/core/test_authorization_matrix.py"
    )


ADMIN_ENTRIES = [e for e in URL_ENTRIES if is_admin(e)]


@pytest.mark.parametrize("entry", ADMIN_ENTRIES, ids=str)
def test_admin_pattern(entry, matrix, settings):
    settings.MEDIA_ROOT = matrix.media_root
    url, want_admin = admin_case(entry, matrix.world.users[ADMIN])
    admin_login = reverse("admin:login")
    checker = Checker(entry, matrix.world)
    # anonymous, the director (the most trusted non-staff role) and the administrator on every
    # pattern; the other roles in turn, one per pattern (the same admin_view guards them all)
    others = [r for r in LOGGED_IN if r not in {ADMIN, DIRECTOR}]
    rotating = others[ADMIN_ENTRIES.index(entry) % len(others)]
    for role in ("anonymous", rotating, DIRECTOR, ADMIN):
        if role == ADMIN:
            want = want_admin
        elif entry.key == "admin:login":
            # the portal's login page (with its second factor) is the admin's too
            want = ("redirect", f"{reverse('login')}?next={quote(reverse('admin:index'), safe='')}")
        elif entry.key == "admin:logout":
            want = ("redirect", reverse("admin:index"))  # nothing to log out of: the index
        else:
            want = LOGIN
        with zeal_ignore():  # the Django admin's own N+1 queries are not this test's subject
            response = _request(matrix.portal[role], "get", url)
        checker.check(
            role, "own", "get", url, response, want, _outcome(response, want, login_url=admin_login)
        )
    assert not checker.failures, "\n".join(checker.failures)


# --- uploaded documents ----------------------------------------------------------------------


def test_uploaded_documents_are_only_served_through_the_views(matrix):
    """Agreements, signed copies and exports are served by permission-checked views only:
    no URL serves MEDIA_ROOT itself (not even with DEBUG), so knowing a file's name (an
    export is `exports/inscriptions-<id>.csv`) gives nothing."""
    from django.conf import settings
    from django.urls import Resolver404, resolve

    from agreements.models import Agreement, AgreementSignature
    from enrolment.models import ExportJob

    names = [
        Agreement.objects.order_by("pk").first().file.name,
        AgreementSignature.objects.order_by("pk").first().scanned_copy.name,
        ExportJob.objects.order_by("pk").first().file.name,
        "exports/inscriptions-1.csv",
    ]
    for name in names:
        with pytest.raises(Resolver404):
            match = resolve(f"{settings.MEDIA_URL}{name}")
            pytest.fail(f"{settings.MEDIA_URL}{name} is served by {match.func.__module__}")
