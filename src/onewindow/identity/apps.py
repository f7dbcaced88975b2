"""identity (people layer) owns natural and legal persons, accounts (citizen, enterprise
agent, staff), the organisation tree, windows, scoped roles and permission checks, login
lock-out and API tokens. May import the kernel apps.
"""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "onewindow.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"
