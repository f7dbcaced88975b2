"""Authentication backend: every password login (pages, admin) goes through the lock-out
rules of ``services.login_check``."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from onewindow.common.errors import TooManyAttempts
from onewindow.common.ratelimit import UNKNOWN, client_address

from .errors import AccountLocked, InvalidCredentials
from .models import Account


class AccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, portal="staff", **kwargs):
        from .services import login_check

        if username is None or password is None:
            return None
        client = client_address(request) if request is not None else UNKNOWN
        try:
            return login_check(identifier=username, password=password, portal=portal,
                               client=client, now=timezone.now())
        except (AccountLocked, TooManyAttempts) as exc:
            # PermissionDenied stops Django from trying other backends.
            raise PermissionDenied(str(exc)) from exc
        except InvalidCredentials:
            return None

    def has_perm(self, user_obj, perm, obj=None):
        """Django permissions follow the roles: a system administrator may use the admin
        site fully; other roles get the registered actions they hold (e.g.
        "events.retry_delivery"), anywhere in their scope."""
        from . import permissions
        from .models import Account, Role

        if not isinstance(user_obj, Account) or not user_obj.is_active:
            return False
        held = permissions.held_roles(user_obj)
        if Role.SYSTEM_ADMIN in held:
            return True
        try:
            if permissions.can_anywhere(user_obj, perm):
                return True
        except ValueError:  # not a registered action: an ordinary model permission
            pass
        return super().has_perm(user_obj, perm, obj)

    def get_user(self, user_id):
        try:
            account = Account.objects.select_related("person", "organisation").get(pk=user_id)
        except Account.DoesNotExist:
            return None
        # A locked account's sessions stop with it, like its API tokens.
        locked = account.locked_until is not None and account.locked_until > timezone.now()
        return account if account.is_active and not locked else None
