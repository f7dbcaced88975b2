"""Production settings: HTTPS only, secrets from the environment.

``onewindow check --deploy`` with these settings passes when ONEWINDOW_SECRET_KEY is set.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

SECRET_KEY = os.environ.get("ONEWINDOW_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ONEWINDOW_SECRET_KEY must be set to at least 50 random characters.")

DEBUG = False
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
