import datetime as dt

import pytest
from django.test import override_settings

from onewindow.identity import services
from onewindow.identity.errors import AccountLocked, InvalidCredentials
from onewindow.identity.models import Account

from .factories import PASSWORD, CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

ME = "198.51.100.1"


def test_citizen_logs_in_with_id_number_phone_or_username(now):
    citizen = CitizenFactory()
    for identifier in (citizen.person.id_number, citizen.person.phone, citizen.username,
                       citizen.person.id_number.lower()):
        account = services.login_check(identifier=identifier, password=PASSWORD,
                                       portal="citizen", client=ME, now=now)
        assert account == citizen


def test_staff_cannot_use_the_citizen_login_and_vice_versa(now):
    staff, citizen = StaffFactory(), CitizenFactory()
    with pytest.raises(InvalidCredentials):
        services.login_check(identifier=staff.username, password=PASSWORD, portal="citizen",
                             client=ME, now=now)
    with pytest.raises(InvalidCredentials):
        services.login_check(identifier=citizen.username, password=PASSWORD, portal="staff",
                             client=ME, now=now)


def test_unknown_account_and_wrong_password_get_the_same_answer(now):
    staff = StaffFactory()
    with pytest.raises(InvalidCredentials) as unknown:
        services.login_check(identifier="nobody", password="x", portal="staff", client=ME, now=now)
    with pytest.raises(InvalidCredentials) as wrong:
        services.login_check(identifier=staff.username, password="x", portal="staff",
                             client=ME, now=now)
    assert unknown.value.message == wrong.value.message


@override_settings(ONEWINDOW_LOGIN_MAX_FAILURES=3, ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES=4,
                   ONEWINDOW_LOGIN_LOCK_MINUTES=15)
def test_lock_out_after_failures_from_several_addresses_then_unlock_after_the_period(now):
    staff = StaffFactory()
    for n in range(3):
        with pytest.raises(InvalidCredentials):
            services.login_check(identifier=staff.username, password="bad", portal="staff",
                                 client=f"203.0.113.{n}", now=now)
    with pytest.raises(AccountLocked):
        services.login_check(identifier=staff.username, password="bad", portal="staff",
                             client="203.0.113.9", now=now)
    # Even the right password is refused while locked: guessing cannot go on.
    with pytest.raises(AccountLocked):
        services.login_check(identifier=staff.username, password=PASSWORD, portal="staff",
                             client=ME, now=now + dt.timedelta(minutes=14))
    later = now + dt.timedelta(minutes=16)
    assert services.login_check(identifier=staff.username, password=PASSWORD, portal="staff",
                                client=ME, now=later) == staff
    staff.refresh_from_db()
    assert staff.failed_logins == 0 and staff.locked_until is None


@override_settings(ONEWINDOW_LOGIN_MAX_FAILURES=3)
def test_a_success_resets_the_failure_count(now):
    staff = StaffFactory()
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            services.login_check(identifier=staff.username, password="bad", portal="staff",
                                 client=ME, now=now)
    services.login_check(identifier=staff.username, password=PASSWORD, portal="staff",
                         client=ME, now=now)
    with pytest.raises(InvalidCredentials):
        services.login_check(identifier=staff.username, password="bad", portal="staff",
                             client=ME, now=now)
    assert Account.objects.get(pk=staff.pk).failed_logins == 1


def test_passwords_are_hashed_with_argon2():
    staff = StaffFactory()
    assert staff.password.startswith("argon2$")


def test_lock_is_audited(now, settings):
    from onewindow.audit.models import AuditEvent

    settings.ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES = 1
    staff = StaffFactory()
    with pytest.raises(AccountLocked):
        services.login_check(identifier=staff.username, password="bad", portal="staff",
                             client=ME, now=now)
    assert AuditEvent.objects.filter(action="identity.account.locked",
                                     subject_id=str(staff.pk)).exists()


def test_system_admin_role_carries_django_admin_permissions():
    from onewindow.identity.models import Role

    from .factories import CentreFactory, grant

    admin, clerk = StaffFactory(), StaffFactory()
    grant(admin, Role.SYSTEM_ADMIN, CentreFactory())
    grant(clerk, Role.WINDOW_CLERK, CentreFactory())
    assert admin.has_perm("events.retry_delivery")
    assert admin.has_perm("workdays.change_specialday")
    assert not clerk.has_perm("events.retry_delivery")
    assert not clerk.has_perm("workdays.change_specialday")
