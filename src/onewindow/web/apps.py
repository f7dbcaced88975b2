"""web (interfaces layer) owns the pages: portal (citizens and enterprises), workbench
(staff), screens, including every app's pages (licences too: ADR 0023); base layouts,
login, home, and the one page helper for action forms (``web.ui``).
"""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "onewindow.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
