"""Production settings: HTTPS only, secrets from the environment.

``onewindow check --deploy`` with these settings passes when ONEWINDOW_SECRET_KEY and
ONEWINDOW_PUBLIC_BASE_URL (where printed QR codes point, onewindow.common.checks) are set.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASE_URL, env_bool, env_list
from .database import database_settings

SECRET_KEY = os.environ.get("ONEWINDOW_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ONEWINDOW_SECRET_KEY must be set to at least 50 random characters.")

DEBUG = False
# PostgreSQL connections from Django's psycopg pool unless ONEWINDOW_DB_POOL=false: each
# process holds at most ONEWINDOW_DB_POOL_MAX_SIZE (ADR 0029).
DATABASES = {"default": database_settings(DATABASE_URL, os.environ, pool_default=True)}
ALLOWED_HOSTS = env_list("ONEWINDOW_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("ONEWINDOW_CSRF_TRUSTED_ORIGINS", [])

SECURE_SSL_REDIRECT = env_bool("ONEWINDOW_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("ONEWINDOW_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("ONEWINDOW_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
WHITENOISE_USE_FINDERS = False

# Mail goes out through the city's SMTP relay (Django 6.1 MAILERS).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "ONEWINDOW_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
        ),
        "OPTIONS": {
            "host": os.environ.get("ONEWINDOW_SMTP_HOST", "localhost"),
            "port": int(os.environ.get("ONEWINDOW_SMTP_PORT", "25")),
            "username": os.environ.get("ONEWINDOW_SMTP_USER", ""),
            "password": os.environ.get("ONEWINDOW_SMTP_PASSWORD", ""),
            "use_tls": env_bool("ONEWINDOW_SMTP_TLS", False),
            "timeout": 10,
        },
    }
}

# The audit checkpoint key is provisioned, never created on the fly (docs/decisions/0027).
ONEWINDOW_AUDIT_CREATE_KEY = env_bool("ONEWINDOW_AUDIT_CREATE_KEY", False)
