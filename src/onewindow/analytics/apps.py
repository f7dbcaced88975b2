"""analytics (top layer) owns dashboards and statistics. May import every domain app.
"""

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "onewindow.analytics"
    label = "analytics"
    default_auto_field = "django.db.models.BigAutoField"
