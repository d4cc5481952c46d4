"""Fast settings for the test suite: MD5 hasher, in-memory e-mail, N+1 detection."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .base import *  # noqa: E402,F403
from .base import DATABASES, INSTALLED_APPS, MIDDLEWARE  # noqa: E402

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

# django-axes logs every login at INFO: quiet in test output.
AXES_VERBOSE = False
# One connection per request, as before: threads of the tests (live server, Celery worker)
# must not keep connections to the test database open when it is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
