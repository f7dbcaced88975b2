"""Bearer tokens are cached briefly (ADR 0028): a burst of calls reads the token once,
and revoking it, locking or deactivating its account stops it at once."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from onewindow.identity import services
from onewindow.identity.errors import AccountLocked, InvalidCredentials, InvalidToken
from onewindow.identity.models import Account, Role
from onewindow.identity.tests.factories import CentreFactory, StaffFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(settings):
    settings.ONEWINDOW_API_TOKEN_CACHE_SECONDS = 30
    cache.clear()
    staff = StaffFactory()
    grant(staff, Role.WINDOW_CLERK, CentreFactory())
    return services.token_issue(actor=staff, now=timezone.now())


def test_a_burst_of_calls_reads_the_token_once(issued, django_assert_num_queries):
    now = timezone.now()
    services.token_authenticate(secret=issued.secret, now=now)  # reads, touches last use
    with django_assert_num_queries(0):
        for second in range(1, 4):
            account = services.token_authenticate(
                secret=issued.secret, now=now + dt.timedelta(seconds=second))
    assert account.pk == issued.token.account_id


def test_revoking_stops_a_cached_token_at_once(issued):
    now = timezone.now()
    account = services.token_authenticate(secret=issued.secret, now=now)
    services.token_revoke(actor=account, token=issued.token, now=now)
    with pytest.raises(InvalidToken):
        services.token_authenticate(secret=issued.secret, now=now)


def test_a_lock_or_deactivation_stops_a_cached_token_at_once(issued):
    now = timezone.now()
    account = services.token_authenticate(secret=issued.secret, now=now)
    account.locked_until = now + dt.timedelta(minutes=30)
    account.save(update_fields=["locked_until"])
    with pytest.raises(InvalidToken):
        services.token_authenticate(secret=issued.secret, now=now)
    Account.objects.filter(pk=account.pk).update(locked_until=None)
    services.forget_account_tokens(account.pk)
    services.token_authenticate(secret=issued.secret, now=now)
    account.is_active = False
    account.save()  # the admin's change form saves every field
    with pytest.raises(InvalidToken):
        services.token_authenticate(secret=issued.secret, now=now)


def test_the_lock_out_of_failed_logins_stops_a_cached_token(issued, settings):
    settings.ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES = 2
    now = timezone.now()
    account = services.token_authenticate(secret=issued.secret, now=now)
    with pytest.raises(InvalidCredentials):
        services.login_check(identifier=account.username, password="wrong", portal="staff",
                             client="10.0.0.1", now=now)
    with pytest.raises(AccountLocked):
        services.login_check(identifier=account.username, password="wrong", portal="staff",
                             client="10.0.0.2", now=now)
    assert Account.objects.get(pk=account.pk).locked_until is not None
    with pytest.raises(InvalidToken):
        services.token_authenticate(secret=issued.secret, now=now)


def test_an_administrator_unlocking_the_account_lets_its_token_work_at_once(
        issued, settings, django_capture_on_commit_callbacks):
    settings.ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES = 1
    now = timezone.now()
    account = services.token_authenticate(secret=issued.secret, now=now)
    with pytest.raises(AccountLocked):
        services.login_check(identifier=account.username, password="wrong", portal="staff",
                             client="10.0.0.1", now=now)
    with pytest.raises(InvalidToken):
        services.token_authenticate(secret=issued.secret, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_unlock(actor=None, account=Account.objects.get(pk=account.pk),
                                now=now)
    assert services.token_authenticate(secret=issued.secret, now=now).pk == account.pk
