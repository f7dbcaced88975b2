"""bundles (services layer) owns 一件事 bundles and joint approvals. May import cases and
everything below it.
"""

from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "onewindow.bundles"
    label = "bundles"
    default_auto_field = "django.db.models.BigAutoField"
