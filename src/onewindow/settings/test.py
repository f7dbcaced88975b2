"""Settings for the test suite."""

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Argon2 stays first so tests see the production hasher; its cost is lowered to keep
# the suite fast (see onewindow.identity.hashers).
PASSWORD_HASHERS = ["onewindow.identity.hashers.FastArgon2PasswordHasher", *PASSWORD_HASHERS]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Audit checkpoint key and exports in a directory of this test process, not in var/
# (audit tests use their own per test: onewindow/audit/tests/conftest.py).
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from .base import STORAGES  # noqa: E402

_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="onewindow-test-audit-"))
ONEWINDOW_AUDIT_SIGNING_KEY_FILE = str(_AUDIT_DIR / "audit-signing-key.pem")
STORAGES = {**STORAGES, "audit_checkpoints": {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(_AUDIT_DIR / "checkpoints")},
}}
