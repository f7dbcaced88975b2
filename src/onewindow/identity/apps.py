"""identity (people layer) owns natural and legal persons, accounts (citizen, enterprise
agent, staff), the organisation tree, windows, scoped roles and permission checks, login
lock-out and API tokens, and the messages sent to people (inbox, SMS, e-mail). May import
the kernel apps.
"""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "onewindow.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "身份与机构"

    def ready(self):
        from django.db.models.signals import post_save

        from onewindow.events.schedule import register_periodic

        from .models import Account
        from .services import account_saved
        from .tasks import DISPATCH_MESSAGES_EVERY_SECONDS, dispatch_messages_task

        register_periodic(dispatch_messages_task, DISPATCH_MESSAGES_EVERY_SECONDS)
        # An account deactivated or locked by any save (the admin's form too) stops its
        # API tokens at once, cached or not.
        post_save.connect(account_saved, sender=Account,
                          dispatch_uid="identity.forget_account_tokens")
