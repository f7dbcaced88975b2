"""supervision (services layer) owns 电子监察 warnings on time limits and irregular handling.
May import cases and everything below it.
"""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    default_auto_field = "django.db.models.BigAutoField"
