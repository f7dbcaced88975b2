"""intermediaries (registries layer) owns the intermediary-services market. May import
identity and the kernel.
"""

from django.apps import AppConfig


class IntermediariesConfig(AppConfig):
    name = "onewindow.intermediaries"
    label = "intermediaries"
    default_auto_field = "django.db.models.BigAutoField"
