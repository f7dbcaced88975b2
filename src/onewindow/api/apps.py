"""api (interfaces layer) owns the JSON API under /api/v1/: mounts each app's ninja router,
error mapping, bearer authentication.
"""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
