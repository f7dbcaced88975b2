"""Background tasks of cases: thin, they read the clock and call one service."""

from django.tasks import task
from django.utils import timezone

from . import services

DEEMED_ACCEPTANCE_EVERY_SECONDS = 600


@task
def deem_accepted_task() -> int:
    """行政许可法 Art. 32: deem overdue submitted cases accepted (every 10 minutes)."""
    return len(services.cases_deem_accepted(now=timezone.now()))

