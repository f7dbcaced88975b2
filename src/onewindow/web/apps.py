"""web (interfaces layer) owns the pages: portal (citizens and enterprises), workbench
(staff), screens; base layouts, login, home.
"""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "onewindow.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
