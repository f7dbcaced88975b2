"""Settings for a developer's machine and the demo: plain HTTP on localhost."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR

# The demo and local development need no configured secret; a random per-checkout key is
# kept in var/ so sessions survive a restart. Production refuses to start without one.
if not SECRET_KEY:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = VAR_DIR / "secret-key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.write_text(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()
