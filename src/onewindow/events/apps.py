"""events (kernel layer) owns the events outbox.

Domain events are stored in the writer's transaction and delivered after commit through
django.tasks with retries; the app also owns the periodic-task schedule that
``onewindow worker`` runs. May import common and audit (a delivery retry is audited).
"""

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class EventsConfig(AppConfig):
    name = "onewindow.events"
    label = "events"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "事件与投递"

    def ready(self):
        from .schedule import register_periodic
        from .tasks import prune_task_results_task, sweep_task, workers_reap_task

        register_periodic(sweep_task, settings.ONEWINDOW_EVENTS_SWEEP_SECONDS)
        register_periodic(workers_reap_task, settings.ONEWINDOW_WORKER_LEASE_SECONDS)
        register_periodic(prune_task_results_task, 6 * 3600)
        checks.register(check_handlers_importable)


def check_handlers_importable(app_configs=None, **kwargs):
    """A typo in a subscription would only show as FAILED deliveries; catch it at start."""
    from django.utils.module_loading import import_string

    from .registry import all_subscriptions

    errors = []
    for event_name, paths in all_subscriptions().items():
        for path in paths:
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    checks.Error(
                        f"事件 {event_name} 的处理程序 {path} 无法导入：{exc}",
                        id="events.E001",
                    )
                )
    return errors
