"""audit (kernel layer) owns the append-only, hash-chained audit log written inside the
caller's transaction. May import common.
"""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
