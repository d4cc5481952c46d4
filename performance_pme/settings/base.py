"""Settings read from the environment (see README, "Configuration").

With nothing configured the portal runs for development: SQLite under var/,
Kombu's filesystem broker under var/, e-mails written to var/mail/.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default):
    """The one way settings read the environment: `env(<variable name>, <default>)`.

    The value is typed like its default (bool, int, float, Path, str, or a comma-separated
    list of the type of the default's items); unset or blank means the default. Booleans
    are true for 1, true, yes, on.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = type(default)
    if kind is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    if kind is list:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return [type(default[0])(item) for item in items] if default else items
    return kind(raw)


VAR_DIR = env("VAR_DIR", BASE_DIR / "var")

DEBUG = env("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env("SECRET_KEY_OPTIONAL", False):
        raise ImproperlyConfigured("SECRET_KEY doit être défini lorsque DEBUG est désactivé.")
    SECRET_KEY = "dev-only-insecure-key-performance-pme-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_include_bootstrap",
    "django_filters",
    "django_tables2",
    "simple_history",
    # The portal's apps, one layer each, lowest first (architecture.md; `lint-imports`).
    "core",
    "diagnostics",
    "catalogue",
    "enrolment",
    "consultants",
    "agreements",
    "collective",
    "funding",
    "reporting",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "performance_pme.urls"
WSGI_APPLICATION = "performance_pme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.roles",
            ],
        },
    },
    {
        # the rows of the busiest tables (core.jinja.render_rows); autoescaped
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja.environment"},
    },
]

# Database: DATABASE_URL, or an SQLite file under var/ for development.
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections by default: a gunicorn sync worker or a Celery prefork child
    # serves one request/task at a time, so one connection per process, kept for
    # DATABASE_CONN_MAX_AGE seconds (checked before reuse), saves a PostgreSQL connection
    # per request. psycopg's pool (DATABASE_POOL=1) is for threaded/async servers; Django
    # forbids it together with persistent connections, so it turns them off.
    DATABASE_POOL = env("DATABASE_POOL", False)
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=0 if DATABASE_POOL else env("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DATABASE_POOL
        # A page's queries read a few thousand rows at most: starting parallel workers costs
        # more than it saves (the director's queue: 12 ms of its 15 ms query, on 2 cores).
        # The ORM writes its joins from the model read outwards along foreign keys, the order
        # PostgreSQL would pick: planning them in that order (join_collapse_limit 1) instead of
        # searching every order takes the dossier page's 8-table read from 3.8 to 1.9 ms; the
        # dashboard's figures take the same time either way (docs/performance.md).
        DATABASES["default"]["OPTIONS"]["options"] = (
            f"-c max_parallel_workers_per_gather={env('DATABASE_PARALLEL_WORKERS', 0)}"
            f" -c join_collapse_limit={env('DATABASE_JOIN_COLLAPSE_LIMIT', 1)}"
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "enrolment:landing"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Redis (broker and cache), or a broker that needs no server for development.
REDIS_URL = env("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # The cache fails open (core.cache): Redis unreachable is a miss and a WARNING, never a
    # 500 (fragments, radar, dashboard figures, the API's throttle, which then lets requests
    # through). CACHE_FAIL_OPEN=0 lets errors through (the Redis-stopped test shows the pages
    # fail then). Short socket timeouts: a Redis that does not answer costs at most that.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache"
            if env("CACHE_FAIL_OPEN", True)
            else "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env("CACHE_CONNECT_TIMEOUT", 1),
                "socket_timeout": env("CACHE_SOCKET_TIMEOUT", 2),
            },
        }
    }
    if env("CACHE_FAIL_OPEN", True):
        # after a failure, the cache is bypassed this long before Redis is tried again
        CACHES["default"]["OPTIONS"]["RETRY_AFTER"] = float(env("CACHE_RETRY_AFTER_SECONDS", "5"))
else:
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's default control folder is relative to the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Reference data (core.reference): in each process' memory, read at most every
# REFERENCE_CACHE_SECONDS (a Redis round trip costs half the query it would save).
CACHES["reference"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "reference",
}

# Celery: late acknowledgement, one task at a time per process, a visibility
# timeout longer than the longest task (readthedocs' settings).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
if REDIS_URL:
    # Publishing an event while Redis is down: one more connection attempt, at once, then the
    # outbox keeps the message for the relay sweep (kombu would otherwise wait 2 s before
    # retrying, inside the user's request, for every event the request publishes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "max_retries": 1,
        "interval_start": 0,
    }
# The outbox relay sweep (core.outbox): how often beat runs it; see OUTBOX_RELAY_* below.
OUTBOX_RELAY_INTERVAL_SECONDS = env("OUTBOX_RELAY_INTERVAL_SECONDS", 30)
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-relay": {"task": "core.tasks.outbox_relay", "schedule": OUTBOX_RELAY_INTERVAL_SECONDS},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# E-mail: SMTP when EMAIL_HOST is set; otherwise files under var/mail/.
EMAIL_HOST = env("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", "Performance PME <ne-pas-repondre@performance-pme.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SQLite (the development database) builds covering indexes without their INCLUDE columns:
# the same queries, read from the table.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
FORM_RENDERER = "core.form_renderer.FormRenderer"  # <select> written in Python (fast)
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Public company register (recherche-entreprises.api.gouv.fr) used to pre-fill enrolment.
COMPANY_REGISTER_URL = env("COMPANY_REGISTER_URL", "https://recherche-entreprises.api.gouv.fr")
COMPANY_REGISTER_TIMEOUT = env("COMPANY_REGISTER_TIMEOUT", 2.0)

# Security: strict defaults whenever DEBUG is off (manage.py check --deploy).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Features no page uses (core.middleware.permissions_policy).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Content Security Policy (django-csp 4): no inline script anywhere (page scripts are files
# under static/js/, data passed by data-* attributes or json_script); no inline style either,
# except the <style> that pygal writes inside its server-rendered SVG charts, which carries the
# request's nonce (core.templatetags.csp_tags.inline_svg). data: images: Bootstrap's icons.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Request and upload limits: form fields and JSON bodies stay small; files above the memory
# threshold are streamed to a temporary file; each upload point checks its own size and type
# (core.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = env("DATA_UPLOAD_MAX_MEMORY_SIZE", 2621440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
CONSULTANT_IMPORT_MAX_UPLOAD_BYTES = env("CONSULTANT_IMPORT_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# The integration API (/api/v1/): personal tokens or the session, per-token rate limit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("API_RATE_LIMIT", "1200/hour")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Performance PME",
    "DESCRIPTION": (
        "API d'intégration du portail Performance PME, avec exactement les droits du portail : "
        "un jeton ne voit que ce que voit son utilisateur (un identifiant hors périmètre "
        "renvoie 404) et la Région est en lecture seule (403 en écriture).\n\n"
        "- **Authentification** : jeton personnel créé dans « Jetons d'API » "
        "(`/profil/jetons/`), en-tête `Authorization: Bearer <jeton>` ; jeton révoqué → 401.\n"
        "- **Pagination** : `page`, `page_size` (200 au plus).\n"
        "- **Synchronisation** : `updated_since` (ISO 8601) sur les entreprises et les "
        "inscriptions ; chaque réponse GET porte un `ETag`, `If-None-Match` → 304.\n"
        "- **Erreurs** : 400 avec les messages (en français) sous le champ concerné ou sous "
        "`non_field_errors`.\n"
        "- **Débit** : limité par jeton ; au-delà, 429 avec `Retry-After`.\n"
        "- **Une seule fois** : une écriture (POST) envoyée avec l'en-tête `Idempotency-Key` "
        "n'est enregistrée qu'une fois ; la même clé renvoie la première réponse "
        "(`Idempotent-Replayed: true`).\n"
        "- **Statuts** : chaque opération documente 400 (paramètre ou saisie refusés, message "
        "en français), 401, 403, 404, 409 et 429.\n"
        "- Montants : chaînes décimales à deux chiffres (EUR, jamais de flottant)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation documents its error statuses (400, 401, 403, 404, 409, 429): api.schema
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.reference_enums",
        "api.schema.document_error_statuses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStateEnum": "enrolment.models.EnrolmentState",
    },
}

# --- Issue 6: documents, reminders, outbox robustness -----------------------------------------
from celery.schedules import crontab  # noqa: E402

# Celery 5.7: a task whose worker process dies is re-sent like retry() (bounded by max_retries).
CELERY_TASK_RETRY_ON_WORKER_LOST = True
OUTBOX_MAX_ATTEMPTS = env("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BACKOFF = 5  # seconds, doubled at each retry, full jitter
OUTBOX_RETRY_BACKOFF_MAX = 600
# a message never tried for this long lost its nudge; one tried this long ago lost its worker
# (killed in flight): the relay sends it again. Longer than the longest handler in production,
# short in development (make run), where a worker is killed and restarted at will.
OUTBOX_RELAY_AFTER_SECONDS = env("OUTBOX_RELAY_AFTER_SECONDS", 20)
OUTBOX_RELAY_RETRY_AFTER_SECONDS = env("OUTBOX_RELAY_RETRY_AFTER_SECONDS", 30 if DEBUG else 300)
OUTBOX_RELAY_BATCH = 500

# PDF documents (WeasyPrint): fonts from a Debian package (fonts-inter), loaded by @font-face.
PDF_FONT_DIR = env("PDF_FONT_DIR", Path("/usr/share/fonts/opentype/inter"))
PDF_FONT_FILES = {
    "regular": "Inter-Regular.otf",
    "italic": "Inter-Italic.otf",
    "semibold": "Inter-SemiBold.otf",
    "bold": "Inter-Bold.otf",
}
AGREEMENT_MAX_UPLOAD_BYTES = env("AGREEMENT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Messages between the relay and the company: one PDF or PNG/JPEG image per message.
MESSAGE_MAX_UPLOAD_BYTES = env("MESSAGE_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
AGREEMENT_BATCH_MAX = 500

# Reminders: delays in days (assumptions of the domain page, configurable), swept hourly.
REMINDER_DELAYS = {
    "diagnosis_draft": 7,
    "agreement_unsigned": 14,
    "mission_ending": 14,
    "seminar_soon": 3,
    # Days a regional aid instalment may stay due and unpaid before it is "overdue".
    "payment_overdue": 30,
    # Days a mission stays behind schedule (director's rule) before the reminder goes out.
    "halfdays_behind": 7,
}
REMINDER_FOLLOW_UP_MONTHS = [6, 12, 36]
REMINDER_CATCH_UP_DAYS = 30  # a reminder missed (sweep down) is still sent within this window
# The Region's dashboard is recomputed at most this often per scope and period (0: never cached).
FUNDING_DASHBOARD_CACHE_SECONDS = env("FUNDING_DASHBOARD_CACHE_SECONDS", 60)
# A consultant's outcome figures (pool, profile, suggestions) are recomputed at most this often.
OUTCOMES_CACHE_SECONDS = env("OUTCOMES_CACHE_SECONDS", 300)
# Reference data (themes, de minimis regulations, the filters' offers, relays, départements)
# kept this long in each process' memory; a process forgets it at once when it changes a row,
# the others after this delay.
REFERENCE_CACHE_SECONDS = env("REFERENCE_CACHE_SECONDS", 60)
CELERY_BEAT_SCHEDULE["reminders-sweep"] = {
    "task": "core.tasks.reminders_sweep",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["reminders-weekly-digest"] = {
    "task": "core.tasks.reminders_weekly_digest",
    "schedule": crontab(minute=0, hour=8, day_of_week=1),
}
# WeasyPrint and fontTools log every rendering step at INFO: keep the workers' logs readable.
LOGGING.setdefault("loggers", {}).update(
    {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}}
)

# Collective action and follow-up (issue 7): group bounds, follow-up schedule and link validity.
GROUP_MIN_COMPANIES = env("GROUP_MIN_COMPANIES", 4)
GROUP_MAX_COMPANIES = env("GROUP_MAX_COMPANIES", 10)
FOLLOW_UP_MONTHS = env("FOLLOW_UP_MONTHS", [6, 12, 36])
FOLLOW_UP_LINK_MAX_AGE_DAYS = env("FOLLOW_UP_LINK_MAX_AGE_DAYS", 60)
FOLLOW_UP_OVERDUE_DAYS = env("FOLLOW_UP_OVERDUE_DAYS", 30)
CONTINUATION_MONTHS = env("CONTINUATION_MONTHS", 36)
#: Days the satisfaction questionnaire's signed link stays valid after it is sent.
SATISFACTION_LINK_MAX_AGE_DAYS = env("SATISFACTION_LINK_MAX_AGE_DAYS", 60)
#: Under this many answers a consultant's mean satisfaction is shown as a small sample.
SATISFACTION_SMALL_SAMPLE = 5
CELERY_BEAT_SCHEDULE["followups-send-due"] = {
    "task": "collective.tasks.followups_send_due",
    "schedule": 6 * 3600.0,
}
#: Absolute address of the portal, for links in e-mails (follow-up links).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Consultant assignment (issue 4): the director designates consultants; set to 1 when the
# director delegates the designation to relay staff (for their relay's enrolments).
CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS = env("CONSULTANT_ASSIGNMENT_DELEGATED_TO_RELAYS", False)

# Personal data (RGPD, issue 9): persons (owners, pilots, consultants, trainers) are anonymised
# this many days after the end of their last enrolment, mission or activity; 0 disables it.
RGPD_RETENTION_DAYS = env("RGPD_RETENTION_DAYS", 5 * 365)
CELERY_BEAT_SCHEDULE["rgpd-retention-sweep"] = {
    "task": "core.tasks.personal_data_retention_sweep",
    "schedule": crontab(minute=30, hour=3),
}
# --- Issue 9: accounts hardening (login throttling, two-factor authentication, sessions) ------
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]
_auth_mw = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth_mw + 1 : _auth_mw + 1] = [
    "django_otp.middleware.OTPMiddleware",
    # after the password, the roles below (and anyone with a device) must give a code
    "core.middleware.OTPRequiredMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # django-axes wants to be last
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): N failures for one e-mail from one address lock it out.
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # Django's AuthenticationForm calls the e-mail "username"
AXES_USERNAME_CALLABLE = "core.security.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"  # the login page with a message
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
# Two-factor authentication (django-otp, TOTP + backup codes): required for these roles, and for
# Django staff and superusers; optional for everyone else (« Sécurité du compte »).
OTP_REQUIRED_ROLES = env("OTP_REQUIRED_ROLES", ["director", "region", "admin"])
OTP_TOTP_ISSUER = "Performance PME"
OTP_BACKUP_CODES = 10
# Sessions end after this many seconds without a request, and when the browser closes.
SESSION_COOKIE_AGE = env("SESSION_IDLE_TIMEOUT", 2 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Re-authentication (core.reauth) before exports of personal data and bank-relevant changes.
REAUTH_MAX_AGE = env("REAUTH_MAX_AGE", 10 * 60)
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "core.admin_config.PortalAdminConfig"

# The owner's journey (enrolment/dossier.py): the relay answers a request within this many working
# days (an assumption of the programme, shown on the confirmation page and in its e-mail).
ENROLMENT_VALIDATION_WORKING_DAYS = env("ENROLMENT_VALIDATION_WORKING_DAYS", 10)
# Footer pages (templates/core/legal/): the accessibility statement's audit, the legal notice.
ACCESSIBILITY_AUDIT_DATE = env("ACCESSIBILITY_AUDIT_DATE", "2026-12-03")
LEGAL_PUBLISHER = env("LEGAL_PUBLISHER", "Région Rhône-Alpes — programme Performance PME")
LEGAL_PUBLICATION_DIRECTOR = env("LEGAL_PUBLICATION_DIRECTOR", "")
LEGAL_HOST = env("LEGAL_HOST", "")
LEGAL_CONTACT_EMAIL = env("LEGAL_CONTACT_EMAIL", "")
