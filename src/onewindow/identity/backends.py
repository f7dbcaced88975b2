"""Authentication backend: every password login (pages, admin) goes through the lock-out
rules of ``services.login_check``."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .errors import AccountLocked, InvalidCredentials
from .models import Account


class AccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, portal="staff", **kwargs):
        from .services import login_check

        if username is None or password is None:
            return None
        try:
            return login_check(
                identifier=username, password=password, portal=portal, now=timezone.now()
            )
        except AccountLocked as exc:
            # PermissionDenied stops Django from trying other backends.
            raise PermissionDenied(str(exc)) from exc
        except InvalidCredentials:
            return None

    def get_user(self, user_id):
        try:
            account = Account.objects.select_related("person", "organisation").get(pk=user_id)
        except Account.DoesNotExist:
            return None
        return account if account.is_active else None
