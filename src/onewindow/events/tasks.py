"""Background tasks of the outbox: thin, they read the clock and call one service."""

from django.tasks import task
from django.utils import timezone

from . import services


@task
def deliver_event_task(event_id: int) -> int:
    """Deliver one event right after the commit that published it."""
    return services.deliver_event(event_id=event_id, now=timezone.now()).succeeded


@task
def sweep_task() -> int:
    """Deliver everything due: retries, and events whose first enqueue was lost."""
    return services.sweep_due(now=timezone.now()).attempted


@task
def workers_reap_task() -> int:
    """Mark failed the task rows of workers that died (their lease lapsed)."""
    return services.workers_reap(now=timezone.now()).tasks_failed


@task
def prune_task_results_task() -> None:
    """Finished background-task rows pile up (each sweep leaves one): keep two weeks."""
    from django.core.management import call_command

    call_command("prune_db_task_results", min_age_days=14, verbosity=0)
