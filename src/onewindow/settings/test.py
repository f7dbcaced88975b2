"""Settings for the test suite."""

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Argon2 stays first so tests see the production hasher; its cost is lowered to keep
# the suite fast (see onewindow.identity.hashers).
PASSWORD_HASHERS = ["onewindow.identity.hashers.FastArgon2PasswordHasher", *PASSWORD_HASHERS]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
