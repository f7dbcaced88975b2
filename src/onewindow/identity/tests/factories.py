"""Factories for identity tests (and tests of apps above identity)."""

import itertools

import factory
from django.utils import timezone
from stdnum.cn import ric, uscc

from onewindow.identity.models import (
    Account,
    LegalPerson,
    NaturalPerson,
    Organisation,
    RoleAssignment,
)

PASSWORD = "test-pass-2026"

_serial = itertools.count(1)


def make_id_number() -> str:
    """A valid resident ID number (环翠区, born 1990), different each call."""
    body = f"371002{19900101 + next(_serial) % 28:08d}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_credit_code(region: str = "371000") -> str:
    body = f"91{region}MA{next(_serial):07d}"
    return body + uscc.calc_check_digit(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = Organisation.Kind.DEPARTMENT
    region_code = "371000"
    level = 3
    credit_code = factory.LazyFunction(lambda: make_credit_code())
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        prefix = obj.parent.path if obj.parent_id else "/"
        obj.path = f"{prefix}{obj.pk}/"
        if create:
            obj.save(update_fields=["path"])


class CentreFactory(OrganisationFactory):
    kind = Organisation.Kind.SERVICE_CENTRE
    name = factory.Sequence(lambda n: f"测试政务服务中心{n}")


class NaturalPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NaturalPerson

    name = factory.Sequence(lambda n: f"测试人{n}")
    id_number = factory.LazyFunction(make_id_number)
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class LegalPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalPerson

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyFunction(lambda: make_credit_code())


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    kind = Account.Kind.STAFF
    date_joined = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class CitizenFactory(AccountFactory):
    kind = Account.Kind.CITIZEN
    person = factory.SubFactory(NaturalPersonFactory)


class StaffFactory(AccountFactory):
    kind = Account.Kind.STAFF
    display_name = factory.Sequence(lambda n: f"工作人员{n}")


def grant(account: Account, role: str, organisation: Organisation) -> RoleAssignment:
    return RoleAssignment.objects.create(account=account, role=role, organisation=organisation)
