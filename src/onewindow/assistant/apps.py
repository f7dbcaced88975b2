"""assistant (services layer) owns smart search and pre-review for applicants. May import
cases and everything below it.
"""

from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "onewindow.assistant"
    label = "assistant"
    default_auto_field = "django.db.models.BigAutoField"
