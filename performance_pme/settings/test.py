"""Fast settings for the test suite: MD5 hasher, in-memory e-mail, N+1 detection."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .base import *  # noqa: E402,F403
from .base import (  # noqa: E402
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    DATABASES,
    INSTALLED_APPS,
    MIDDLEWARE,
    REDIS_URL,
    VAR_DIR,
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
MIDDLEWARE = [*MIDDLEWARE, "zeal.middleware.zeal_middleware"]
ZEAL_RAISE = True
ZEAL_SHOW_ALL_CALLERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Repeated session lookups across requests of one test are not N+1 queries.
ZEAL_ALLOWLIST = [{"model": "sessions.Session"}]
# Pages read the figures they just changed (the cache itself is tested with override_settings).
FUNDING_DASHBOARD_CACHE_SECONDS = 0
OUTCOMES_CACHE_SECONDS = 0
REFERENCE_CACHE_SECONDS = 0

# django-axes logs every login at INFO: quiet in test output.
AXES_VERBOSE = False
# One connection per request, as before: threads of the tests (live server, Celery worker)
# must not keep connections to the test database open when it is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Test data need not survive a crash of the server: commits do not wait for the WAL flush
    # (the portal's own connection options, such as its join planning, are kept).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()

# pytest-xdist runs the suite in several processes (`gw0`, `gw1`…; each has its own test
# database): each also has its own cache and Celery queues, under its own prefix in the one
# Redis database, or its own directory for the file cache. The Celery workers the integration
# tests start inherit PYTEST_XDIST_WORKER, hence the same prefix.
TEST_PROCESS = env("PYTEST_XDIST_WORKER", "master")  # noqa: F405
if REDIS_URL:
    # the configured backend (fail-open or not), whose clear() empties this process's keys only
    TEST_CACHE_BACKENDS = {
        "django.core.cache.backends.redis.RedisCache": "tests.redis_cache.WorkerRedisCache",
        "core.cache.FailOpenRedisCache": "tests.redis_cache.WorkerFailOpenRedisCache",
    }
    CACHES = {
        **CACHES,  # the reference data's, in memory
        "default": {
            **CACHES["default"],
            "BACKEND": TEST_CACHE_BACKENDS[CACHES["default"]["BACKEND"]],
            "KEY_PREFIX": f"test-{TEST_PROCESS}",
        },
    }
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"test-{TEST_PROCESS}-broker:",
    }
else:
    CACHES = {
        **CACHES,
        "default": {
            **CACHES["default"],
            "LOCATION": str(VAR_DIR / "cache" / f"test-{TEST_PROCESS}"),
        },
    }
