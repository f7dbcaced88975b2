"""common (kernel layer) owns the base ApplicationError (with a stable code), pagination,
ids, request context, log redaction and the deployment checks. Imports nothing of the
project.
"""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "onewindow.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .ratelimit import trusted_proxies

        # A malformed proxy entry stops the start naming it, not every later login.
        trusted_proxies()
