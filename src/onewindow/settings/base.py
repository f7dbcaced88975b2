"""Settings shared by every environment. Everything secret or site-specific comes from
the environment (ONEWINDOW_* variables and DATABASE_URL)."""

import contextlib
import os
from pathlib import Path

from django.utils.csp import CSP

from .database import database_settings
from .storage import storages_settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


SECRET_KEY = os.environ.get("ONEWINDOW_SECRET_KEY", "")
DEBUG = env_bool("ONEWINDOW_DEBUG", False)
ALLOWED_HOSTS = env_list("ONEWINDOW_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    # kernel
    "onewindow.common",
    "onewindow.workdays",
    "onewindow.audit",
    "onewindow.events",
    "onewindow.documents",
    # people
    "onewindow.identity",
    # registries
    "onewindow.catalog",
    "onewindow.licences",
    "onewindow.hotline",
    "onewindow.hall",
    "onewindow.intermediaries",
    # engines
    "onewindow.workflow",
    # core
    "onewindow.cases",
    # services
    "onewindow.bundles",
    "onewindow.reviews",
    "onewindow.supervision",
    "onewindow.assistant",
    # top
    "onewindow.analytics",
    # interfaces
    "onewindow.api",
    "onewindow.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onewindow.web.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onewindow.web.middleware.EdgeValidationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onewindow.web.middleware.FriendlyMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.web.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"
# PostgreSQL through Django's psycopg pool when ONEWINDOW_DB_POOL is on (the production
# default): onewindow.settings.database, ADR 0029.
DATABASES = {"default": database_settings(DATABASE_URL, os.environ, pool_default=False)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.Account"
AUTHENTICATION_BACKENDS = ["onewindow.identity.backends.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:citizen-login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, so a reader finds theirs whatever the page is in.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise looks for STATIC_ROOT at start-up even when it serves from the finders.
# A read-only deployment has run collectstatic already, so a failure here is harmless.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("ONEWINDOW_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Local disk, or an S3-compatible bucket with ONEWINDOW_STORAGE=s3: onewindow.settings.storage.
STORAGES = storages_settings(os.environ, var_dir=VAR_DIR)
WHITENOISE_USE_FINDERS = True

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "onewindow",
    }
}
if os.environ.get("ONEWINDOW_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["ONEWINDOW_REDIS_URL"],
    }

# How many app servers (hosts) serve this site. Above 1, the start-up check
# (onewindow.common.checks) requires a shared cache, PostgreSQL, and files in object
# storage or under one of ONEWINDOW_SHARED_PATHS (directories every server mounts).
ONEWINDOW_SERVERS = int(os.environ.get("ONEWINDOW_SERVERS", "1"))
ONEWINDOW_SHARED_PATHS = env_list("ONEWINDOW_SHARED_PATHS", [])

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day at the window
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Identity
ONEWINDOW_LOGIN_MAX_FAILURES = int(os.environ.get("ONEWINDOW_LOGIN_MAX_FAILURES", "5"))
ONEWINDOW_LOGIN_LOCK_MINUTES = int(os.environ.get("ONEWINDOW_LOGIN_LOCK_MINUTES", "15"))
# Failures within that window (ADR 0026): MAX_FAILURES stop one address for one account;
# these stop one address for every account, and lock an account tried from anywhere.
ONEWINDOW_LOGIN_ADDRESS_MAX_FAILURES = int(
    os.environ.get("ONEWINDOW_LOGIN_ADDRESS_MAX_FAILURES", "30"))
ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES = int(
    os.environ.get("ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES", "20"))
# Our own reverse proxies (addresses or networks, comma-separated): behind them the client
# address is read from X-Forwarded-For for the throttles (common.ratelimit.client_address).
ONEWINDOW_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ONEWINDOW_TRUSTED_PROXIES", "").split(",") if p.strip()
]
ONEWINDOW_API_TOKEN_HOURS = int(os.environ.get("ONEWINDOW_API_TOKEN_HOURS", "12"))
# A bearer token and its account are cached this long (0: never) so a client's burst of
# calls reads them once; revoking, locking or deactivating drops the entry at once
# (through the shared cache when there are several servers). docs/decisions/0028.
ONEWINDOW_API_TOKEN_CACHE_SECONDS = int(os.environ.get("ONEWINDOW_API_TOKEN_CACHE_SECONDS", "30"))

# The service centre's phone line, on the error page (and wherever people are told to call).
ONEWINDOW_SERVICE_PHONE = os.environ.get("ONEWINDOW_SERVICE_PHONE", "0631-12345")
# Public links printed on notices and licences (QR codes) point here. Empty: the host of
# the request being served, else the address `onewindow serve --bind` listens on
# (onewindow.common.request_context.public_base_url). `check --deploy` refuses it empty
# (onewindow.common.checks): in production a printed QR must not carry an internal host.
ONEWINDOW_PUBLIC_BASE_URL = os.environ.get("ONEWINDOW_PUBLIC_BASE_URL", "")
# Licence signing keys are encrypted at rest with a key derived from this (or SECRET_KEY).
ONEWINDOW_LICENCES_KEY_SECRET = os.environ.get("ONEWINDOW_LICENCES_KEY_SECRET", "")
ONEWINDOW_LICENCES_JWKS_URL = os.environ.get("ONEWINDOW_LICENCES_JWKS_URL", "")
ONEWINDOW_UPLOAD_MAX_BYTES = int(
    os.environ.get("ONEWINDOW_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
)
# The limit holds while the body streams in (a larger upload is neither read in full nor
# spooled to disk); the reverse proxy should refuse it first: ADR 0025.
FILE_UPLOAD_HANDLERS = [
    "onewindow.cases.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Licence seals: Ed25519 by default (or "SM2"); SM2 needs the optional `sm` extra (gmssl-pyx).
ONEWINDOW_LICENCES_KEY_ALGORITHM = os.environ.get("ONEWINDOW_LICENCES_KEY_ALGORITHM", "Ed25519")

# Audit (docs/decisions/0027): the Ed25519 key that signs checkpoints lives in a file,
# never in the database; development and the demo create it on first use, production
# provisions it. The sealer runs every few seconds from the workers; a row missing that
# long after a later one was written is declared a gap (keep it above the database's
# transaction timeout); a row unsealed longer than the alert is reported.
ONEWINDOW_AUDIT_SIGNING_KEY_FILE = os.environ.get(
    "ONEWINDOW_AUDIT_SIGNING_KEY_FILE", str(VAR_DIR / "audit-signing-key.pem"))
ONEWINDOW_AUDIT_PUBLIC_KEY_FILE = os.environ.get("ONEWINDOW_AUDIT_PUBLIC_KEY_FILE", "")
ONEWINDOW_AUDIT_CREATE_KEY = env_bool("ONEWINDOW_AUDIT_CREATE_KEY", True)
ONEWINDOW_AUDIT_CHECKPOINT_STORAGE = "audit_checkpoints"
ONEWINDOW_AUDIT_SEAL_SECONDS = float(os.environ.get("ONEWINDOW_AUDIT_SEAL_SECONDS", "5"))
ONEWINDOW_AUDIT_BATCH_SIZE = int(os.environ.get("ONEWINDOW_AUDIT_BATCH_SIZE", "1000"))
ONEWINDOW_AUDIT_GAP_SECONDS = float(os.environ.get("ONEWINDOW_AUDIT_GAP_SECONDS", "60"))
ONEWINDOW_AUDIT_LAG_ALERT_SECONDS = float(
    os.environ.get("ONEWINDOW_AUDIT_LAG_ALERT_SECONDS", "300"))

# Cases: the statutory 5 working days to decide on acceptance (Administrative Licensing
# Law Art. 32), the "due soon" band of worklists, and the remedies printed on refusals.
ONEWINDOW_CASES_ACCEPTANCE_DAYS = int(os.environ.get("ONEWINDOW_CASES_ACCEPTANCE_DAYS", "5"))
ONEWINDOW_DUE_SOON_WORKING_DAYS = int(os.environ.get("ONEWINDOW_DUE_SOON_WORKING_DAYS", "3"))
ONEWINDOW_CASES_REMEDIES_TEXT = os.environ.get("ONEWINDOW_CASES_REMEDIES_TEXT", "")
# 补正告知: working days the applicant gets to supply corrections (the clerk may change it).
ONEWINDOW_CASES_CORRECTION_DAYS = int(os.environ.get("ONEWINDOW_CASES_CORRECTION_DAYS", "20"))
# 容缺受理: working days to supply a tolerated material when its catalog entry sets none.
ONEWINDOW_TOLERANCE_SUPPLY_DAYS = int(os.environ.get("ONEWINDOW_TOLERANCE_SUPPLY_DAYS", "10"))

# Messages to citizens. The demo SMS backend stores texts so staff can read them at
# 演示短信; a real gateway is another class with the same send() method.
ONEWINDOW_SMS_BACKEND = os.environ.get(
    "ONEWINDOW_SMS_BACKEND", "onewindow.identity.messaging.DemoSmsBackend"
)
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "ONEWINDOW_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@onewindow.localhost")

# Events outbox
ONEWINDOW_EVENTS_MAX_ATTEMPTS = int(os.environ.get("ONEWINDOW_EVENTS_MAX_ATTEMPTS", "8"))
ONEWINDOW_EVENTS_BACKOFF_SECONDS = int(os.environ.get("ONEWINDOW_EVENTS_BACKOFF_SECONDS", "30"))
ONEWINDOW_EVENTS_SWEEP_SECONDS = int(os.environ.get("ONEWINDOW_EVENTS_SWEEP_SECONDS", "30"))
# Each `onewindow worker` renews its lease every third of this; a worker silent this long
# is dead: its deliveries are reclaimed and its task rows marked failed (ADR 0026).
ONEWINDOW_WORKER_LEASE_SECONDS = int(os.environ.get("ONEWINDOW_WORKER_LEASE_SECONDS", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "onewindow.common.logging.RequestIdFilter"},
        "personal_data": {"()": "onewindow.common.logging.PersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ONEWINDOW_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "spiff": {"level": "WARNING"},
    },
}
