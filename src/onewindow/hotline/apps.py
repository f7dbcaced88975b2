"""hotline (registries layer) owns the 12345 hotline appeals. May import identity and the
kernel.
"""

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "onewindow.hotline"
    label = "hotline"
    default_auto_field = "django.db.models.BigAutoField"
