"""Settings for the Text-Connect portal.

Every deploy-time value comes from the environment (or a `.env` file beside manage.py) through
django-environ. Development defaults are safe and local: SQLite, a broker that needs no server, the
sandbox gateway mounted in the same server. With DEBUG off, missing secrets stop start-up.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Queue

from config import queues

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# --- Core -----------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "contacts",
    "messaging",
    "reporting",
    "inbound",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A live short link's redirect is answered here, without the page middleware below.
    "messaging.link_views.ShortLinkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Serving only the sandbox (`runsandbox`) changes this: see "Gateway and sandbox" below.
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "accounts.context_processors.workspace_nav",
                "accounts.context_processors.theme",
                "messaging.context_processors.approvals",
            ],
        },
    },
]

# --- Database and cache ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker's processes and beat share the file: WAL lets readers go on
    # while one writes, the busy timeout makes a writer wait its turn rather than fail, and
    # IMMEDIATE takes the write lock at BEGIN (a deferred transaction that reads first cannot
    # wait for it: it fails at once with "database is locked").
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL;")
    _sqlite.setdefault("timeout", env.int("SQLITE_BUSY_TIMEOUT", default=30))
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by the web server, worker and beat of `make run`, unlike a per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
# Sign-up and password-reset mails per hour: to one address, and requests from one IP address.
ACCOUNT_MAIL_PER_ADDRESS = env.int("ACCOUNT_MAIL_PER_ADDRESS", default=5)
ACCOUNT_MAIL_PER_IP = env.int("ACCOUNT_MAIL_PER_IP", default=30)
# Axes first: it refuses locked-out clients before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login security -------------------------------------------------------------------------------
# django-axes counts failed logins per email + IP address pair (docs/security.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, also the key Django's signals use
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log already
AXES_LOCKOUT_CALLABLE = "accounts.two_factor.locked_out"
# Axes has one limit for all its counters, so the wider per-address ceiling is the login view's own.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
# TOTP two-factor (django-otp) with recovery codes: the pending second step, and the wrong codes
# in a row (of either kind) allowed before a lock-out of LOCKOUT seconds, doubled for each wrong
# code after it. django-otp's own back-off (1, 2, 4 s after every wrong code) is off: it refused
# the right code typed straight after a wrong one.
OTP_TOTP_ISSUER = "Text-Connect Portal"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
TWO_FACTOR_PENDING_SECONDS = 300
TWO_FACTOR_MAX_WRONG_CODES = 5
TWO_FACTOR_LOCKOUT_SECONDS = 60

# --- Internationalisation -------------------------------------------------------------------------
# British English is the default; Welsh is complete (docs/languages.md). A signed-in person's own
# choice (User.language) wins over the cookie and the browser's Accept-Language.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# 2/12/2026 and 24-hour times (config/formats/<locale>/formats.py over Django's own).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here once collected
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Contacts -------------------------------------------------------------------------------------
# CSV uploads larger than this are refused from Content-Length, before the body is read.
CONTACT_IMPORT_MAX_BYTES = env.int("CONTACT_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads stream to a temporary file


# --- Email ----------------------------------------------------------------------------------------
def _mailer(url: dict) -> dict:
    """Turn django-environ's EMAIL_URL reading into a MAILERS entry."""
    backend = url["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": url.get("EMAIL_HOST", "localhost"),
        "port": url.get("EMAIL_PORT", 25),
        "username": url.get("EMAIL_HOST_USER", ""),
        "password": url.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": url.get("EMAIL_USE_TLS", False),
        "use_ssl": url.get("EMAIL_USE_SSL", False),
    }
    return {"BACKEND": backend, "OPTIONS": options}


# Mail goes to the console in development; EMAIL_URL=smtp+tls://user:pass@host:587 for real mail.
# Production must name its transport: the console would print password-reset links into the logs.
_EMAIL_URL = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "")
if not _EMAIL_URL:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in the environment when DEBUG is off "
        "(e.g. smtp+tls://user:password@smtp.example.com:587)."
    )
MAILERS = {"default": _mailer(env.email_url_config(_EMAIL_URL))}
if DEBUG and MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # Printed decoded (links whole) and kept for the mailbox page at /dev/mail/ (config/devmail.py).
    MAILERS["default"] = {"BACKEND": "config.devmail.DevMailBackend"}
DEV_MAIL_DIR = VAR_DIR / "mail"
DEV_MAIL_KEEP = 200
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Text-Connect Portal <portal@localhost>")

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes speak plain HTTP inside the stack
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Only the portal's own scripts and styles: htmx runs without inline handlers or eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}


def _dev_encryption_key(secret: str) -> str:
    """A Fernet key derived from SECRET_KEY, for development only."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()).decode()


# Fernet keys, newest first; older keys still decrypt until `rotate_encryption_keys` re-encrypts.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[_dev_encryption_key(SECRET_KEY)] if DEBUG else []
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off "
        '(generate one with: python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())").'
    )

# Keys the hashes that keep an erased person's opt-out (accounts.crypto.number_hash). Set it once
# and keep it: derived from SECRET_KEY by default, so a new SECRET_KEY would forget those opt-outs.
PRIVACY_HASH_KEY = env.str(
    "PRIVACY_HASH_KEY", default=hashlib.sha256(f"privacy:{SECRET_KEY}".encode()).hexdigest()
)
# Retention (docs/privacy.md): the purge runs this often and scrubs this many rows a statement.
PRIVACY_PURGE_BATCH = env.int("PRIVACY_PURGE_BATCH", default=5000)

# --- Gateway and sandbox --------------------------------------------------------------------------
TEXTCONNECT_API_URL = env.str("TEXTCONNECT_API_URL", default=f"{SITE_URL}/sandbox/api")
# Workspaces pick their gateway from these (with the default above, and the mounted sandbox in
# development); a free URL would let anyone who edits the settings send the token elsewhere.
TEXTCONNECT_ALLOWED_API_URLS = env.list("TEXTCONNECT_ALLOWED_API_URLS", default=[])
TEXTCONNECT_TIMEOUT = env.float("TEXTCONNECT_TIMEOUT", default=15.0)
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=DEBUG)
SANDBOX_DELIVERY_SECONDS = env.float("SANDBOX_DELIVERY_SECONDS", default=3.0)


# The sandbox's pages show a portal user the sandbox accounts whose tokens this returns for them.
SANDBOX_PAGE_TOKENS = "accounts.sandbox_access.gateway_tokens_for"


def _standalone_sandbox_settings() -> dict:
    """What serving only the sandbox changes; `runsandbox` applies the same after start-up.

    Its API is for plain-HTTP clients: no redirect to HTTPS (nor HTTPS-only cookies) unless
    SECURE_SSL_REDIRECT asks for it. Its pages have their own password login, so their session
    is a signed cookie of its own name: the portal (same host, maybe the same database) never
    takes it for one of its sessions, which may need a second factor.
    """
    tls = env.bool("SECURE_SSL_REDIRECT", default=False)
    return {
        "ROOT_URLCONF": "sandbox.standalone_urls",
        "SECURE_SSL_REDIRECT": tls,
        "SESSION_COOKIE_SECURE": env.bool("SESSION_COOKIE_SECURE", default=tls),
        "CSRF_COOKIE_SECURE": env.bool("CSRF_COOKIE_SECURE", default=tls),
        "SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies",
        "SESSION_COOKIE_NAME": "sandbox_sessionid",
        "CSRF_COOKIE_NAME": "sandbox_csrftoken",
        "LOGIN_URL": "sandbox-login",
        "LOGIN_REDIRECT_URL": "sandbox:accounts",
        "AXES_LOCKOUT_CALLABLE": None,  # the portal's lock-out page links to portal routes
    }


SANDBOX_STANDALONE = env.bool("SANDBOX_STANDALONE", default=False)
SANDBOX_STANDALONE_SETTINGS = _standalone_sandbox_settings()
if SANDBOX_STANDALONE:
    globals().update(SANDBOX_STANDALONE_SETTINGS)

# --- Celery ---------------------------------------------------------------------------------------
# The default transport keeps messages in files, so `make run` needs no Redis; tests and production
# point CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_QUEUE_DIR = VAR_DIR / "celery" / "queue"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_QUEUE_DIR),
        "data_folder_out": str(_BROKER_QUEUE_DIR),
    }
else:
    # Longer than the longest task, so an unacknowledged task is not redelivered while it runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Queues (config/queues.py): sending never waits behind imports, syncs, reports or balances.
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT_QUEUE
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in queues.ALL_QUEUES]
CELERY_TASK_ROUTES = queues.TASK_ROUTES
# Periodic work reads due rows from the database; no ETA tasks.
CELERY_BEAT_SCHEDULE: dict = {
    "accounts-balances-refresh": {
        "task": "accounts.tasks.balances_refresh",
        "schedule": env.float("BALANCE_REFRESH_SECONDS", default=600.0),
    },
    "accounts-reseller-sweep": {"task": "accounts.tasks.reseller_sweep", "schedule": 120.0},
    "contacts-sweep": {"task": "contacts.tasks.contacts_sweep", "schedule": 120.0},
    "messaging-dispatch-due": {"task": "messaging.tasks.dispatch_due_task", "schedule": 5.0},
    "messaging-series-due": {"task": "messaging.tasks.series_due_task", "schedule": 15.0},
    "messaging-track-statuses": {"task": "messaging.tasks.track_statuses_task", "schedule": 5.0},
    "messaging-reconcile": {
        "task": "messaging.tasks.reconcile_task",
        "schedule": env.float("MESSAGING_RECONCILE_SECONDS", default=30.0),
    },
    "inbound-sweep": {"task": "inbound.tasks.inbound_sweep_task", "schedule": 60.0},
    "inbound-reconcile": {
        "task": "inbound.tasks.inbound_reconcile_task",
        "schedule": env.float("INBOUND_RECONCILE_SECONDS", default=300.0),
    },
    "messaging-links-drain": {"task": "messaging.tasks.links_drain_task", "schedule": 5.0},
    "accounts-webhooks-sweep": {"task": "accounts.tasks.webhooks_sweep", "schedule": 5.0},
    "reporting-prune": {"task": "reporting.tasks.snapshots_prune_task", "schedule": 3600.0},
    "contacts-retention": {"task": "contacts.tasks.retention_sweep_task", "schedule": 3600.0},
    "reporting-balance-points": {"task": "reporting.tasks.balance_points_task", "schedule": 600.0},
    "reporting-scheduled": {"task": "reporting.tasks.scheduled_reports_task", "schedule": 300.0},
}
# A periodic task's lock outlives a killed holder by at most this long (renewed while it works).
PERIODIC_LOCK_SECONDS = env.float("PERIODIC_LOCK_SECONDS", default=30.0)
MESSAGING_BATCH_SIZE = env.int("MESSAGING_BATCH_SIZE", default=500)
# A dispatch task hands the rest of its send back to the queue after this long, so that the sends
# of other workspaces queued meanwhile go first (one workspace's large send never blocks another's).
MESSAGING_DISPATCH_SLICE_SECONDS = env.float("MESSAGING_DISPATCH_SLICE_SECONDS", default=20.0)
# Rows claimed at a time when each recipient has its own text (one call each).
MESSAGING_PERSONALISED_BATCH_SIZE = env.int("MESSAGING_PERSONALISED_BATCH_SIZE", default=10)
# A dispatch run's lease (at least three call timeouts); renewed before every call.
MESSAGING_RUN_LEASE_SECONDS = env.float("MESSAGING_RUN_LEASE_SECONDS", default=60.0)
# Absence from the gateway's report means "not accepted" only this long after the call.
MESSAGING_RECONCILE_HORIZON_SECONDS = env.float(
    "MESSAGING_RECONCILE_HORIZON_SECONDS", default=900.0
)
# Dispatch tasks started for a large send (each claims its own batches; at most one per batch).
MESSAGING_DISPATCH_PARALLELISM = env.int("MESSAGING_DISPATCH_PARALLELISM", default=2)

# --- Inbound --------------------------------------------------------------------------------------
# The forwarding endpoint (docs/inbound.md): sizes, per-key rate limits, auth rotation grace.
INBOUND_MAX_REQUEST_BYTES = env.int("INBOUND_MAX_REQUEST_BYTES", default=65536)
INBOUND_MAX_BODY_CHARS = env.int("INBOUND_MAX_BODY_CHARS", default=5000)
INBOUND_RATE_PER_MINUTE = env.int("INBOUND_RATE_PER_MINUTE", default=6000)
INBOUND_BAD_AUTH_PER_MINUTE = env.int("INBOUND_BAD_AUTH_PER_MINUTE", default=60)
INBOUND_AUTH_GRACE_HOURS = env.int("INBOUND_AUTH_GRACE_HOURS", default=24)
# The endpoint's insert does not wait for the disk (PostgreSQL synchronous_commit off for that one
# transaction): a crash can lose the last moment's texts, which reconciliation then recovers.
INBOUND_ASYNC_COMMIT = env.bool("INBOUND_ASYNC_COMMIT", default=True)
# At most one auto-reply per sender in this many seconds, and none to texts older than MAX_AGE.
INBOUND_AUTO_REPLY_INTERVAL = env.int("INBOUND_AUTO_REPLY_INTERVAL", default=600)
INBOUND_AUTO_REPLY_MAX_AGE = env.int("INBOUND_AUTO_REPLY_MAX_AGE", default=3600)
# Reconciliation reads the InboundMessages report from the last run (first run: FIRST_HOURS back).
INBOUND_RECONCILE_FIRST_HOURS = env.int("INBOUND_RECONCILE_FIRST_HOURS", default=24)
INBOUND_RECONCILE_MAX_HOURS = env.int("INBOUND_RECONCILE_MAX_HOURS", default=168)

# --- Reporting ------------------------------------------------------------------------------------
# Cached gateway reports (docs/reporting.md): a range touching today is refetched when older than
# the TTL; a fetch running past STALE_SECONDS may be taken over; snapshots unseen for PRUNE_DAYS go.
REPORTING_TTL_SECONDS = env.int("REPORTING_TTL_SECONDS", default=300)
REPORTING_STALE_SECONDS = env.int("REPORTING_STALE_SECONDS", default=1800)
REPORTING_PRUNE_DAYS = env.int("REPORTING_PRUNE_DAYS", default=30)
REPORTING_MAX_RANGE_DAYS = env.int("REPORTING_MAX_RANGE_DAYS", default=366)
REPORTING_MAX_ROWS = env.int("REPORTING_MAX_ROWS", default=2_000_000)
REPORTING_EMAIL_MAX_ROWS = env.int("REPORTING_EMAIL_MAX_ROWS", default=50_000)

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # The dev server's request lines without query strings (inbound texts and auth travel there).
    "filters": {
        "no_query_strings": {"()": "config.log_filters.NoQueryStrings"},
        "client_errors": {"()": "config.log_filters.ClientErrorsWithoutTraceback"},
    },
    # A refused request (403, 400) is one line, without the exception's traceback.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["no_query_strings"],
        },
        "django.db.backends": {"level": "WARNING"},
    },
}


# -- the portal API (/api/v1/, docs/api.md) -----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api.auth.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "accounts.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Text-Connect Portal API",
    "DESCRIPTION": "Send through the portal (with its opt-outs, quiet hours, credits and log) and "
    "read what happened. Authenticate with a workspace API key: `Authorization: Bearer tck_…`.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.schema.add_error_responses",
    ],
}

# -- outbound webhooks (accounts/webhooks.py) ------------------------------------------------------
# Plain http and private addresses only in development: elsewhere webhooks go to public https URLs.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# -- tracked short links (messaging/services/links.py) -------------------------------------------
# Short links are SITE_URL/l/<code>, or SHORT_LINK_DOMAIN/l/<code> (e.g. https://go.example.com)
SHORT_LINK_DOMAIN = env.str("SHORT_LINK_DOMAIN", default="")
