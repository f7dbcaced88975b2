"""workdays (kernel layer) owns the working-day calendar: official holidays and adjusted
workdays (调休), working-day arithmetic, provisional years. May import common, audit,
events.
"""

from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "onewindow.workdays"
    label = "workdays"
    default_auto_field = "django.db.models.BigAutoField"
