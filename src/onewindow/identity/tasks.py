"""Background tasks of identity: thin, they read the clock and call one function."""

from django.tasks import task
from django.utils import timezone

DISPATCH_MESSAGES_EVERY_SECONDS = 120


@task
def dispatch_messages_task() -> int:
    """Retry SMS / e-mail whose after-commit send was lost (see notifications)."""
    from .notifications import dispatch_pending

    return dispatch_pending(now=timezone.now())
