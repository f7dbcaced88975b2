"""Background task of the audit log: the periodic sealer (thin: reads the clock, calls
one service, raises the alert)."""

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from . import services
from .errors import AuditKeyMissing
from .verification import lag_alert_seconds

logger = logging.getLogger(__name__)


def seal_every_seconds() -> float:
    return float(getattr(settings, "ONEWINDOW_AUDIT_SEAL_SECONDS", 5))


@task
def seal_task() -> int:
    """Seal the committed audit rows; log an error when a row stays unsealed too long."""
    try:
        result = services.audit_seal(now=timezone.now())
    except AuditKeyMissing as exc:
        # One line, not a traceback every few seconds (the start-up check names it too).
        logger.error("audit checkpoints cannot be signed: %s", exc.message)
        return 0
    if result.lag_seconds > lag_alert_seconds():
        logger.error("audit rows unsealed for %.0f s (alert above %.0f s)",
                     result.lag_seconds, lag_alert_seconds())
    return result.rows
