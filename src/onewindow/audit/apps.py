"""audit (kernel layer) owns the append-only audit log: rows written inside the caller's
transaction without a shared lock, sealed after commit into signed checkpoints. May import
common (and, on the kernel row, events for its periodic sealer).
"""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from onewindow.events.schedule import register_periodic

        from . import checks  # noqa: F401  (registers the signing key check)
        from .tasks import seal_every_seconds, seal_task

        register_periodic(seal_task, seal_every_seconds())
