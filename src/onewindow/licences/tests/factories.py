"""Helpers for licence tests: an issuing department with a chief, a type, a holder."""

import datetime as dt
import itertools
from dataclasses import dataclass

from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    CitizenFactory,
    LegalPersonFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)
from onewindow.licences import services
from onewindow.licences.models import HolderKind, LicenceType

_types = itertools.count(1)

BUSINESS_FIELDS = [
    {"name": "business_scope", "label": "经营范围", "type": "text", "required": True},
    {"name": "registered_capital", "label": "注册资本（万元）", "type": "integer"},
    {"name": "established", "label": "成立日期", "type": "date"},
]


def make_type(*, issuers, holder_kind=HolderKind.PERSON, validity_months=60, fields=None,
              now=None, name="食品经营许可证") -> LicenceType:
    now = now or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    defining = issuers[0].credit_code
    return services.licence_type_create(
        actor=None, code=f"{defining}{next(_types) % 1000:03d}", name=name, issuers=issuers,
        holder_kind=holder_kind, validity_months=validity_months,
        field_schema=fields if fields is not None else [
            {"name": "category", "label": "经营项目", "type": "text", "required": True},
        ],
        now=now,
    )


@dataclass
class World:
    department: object
    chief: object
    handler: object
    clerk: object
    citizen: object
    person_type: LicenceType
    legal_type: LicenceType


def make_world(now) -> World:
    department = OrganisationFactory(name="威海市市场监督管理局")
    chief = StaffFactory(organisation=department)
    grant(chief, Role.CHIEF_REPRESENTATIVE, department)
    handler = StaffFactory(organisation=department)
    grant(handler, Role.HANDLER, department)
    clerk = StaffFactory(organisation=department)
    grant(clerk, Role.WINDOW_CLERK, department)
    citizen = CitizenFactory()
    return World(
        department=department, chief=chief, handler=handler, clerk=clerk, citizen=citizen,
        person_type=make_type(issuers=[department], now=now),
        legal_type=make_type(issuers=[department], holder_kind=HolderKind.LEGAL_PERSON,
                             fields=BUSINESS_FIELDS, validity_months=None, now=now,
                             name="营业执照"),
    )


def issue_to_citizen(world: World, now, **kwargs):
    kwargs.setdefault("fields", {"category": "预包装食品销售"})
    return services.licence_issue(
        actor=world.chief, licence_type=world.person_type,
        holder_person=world.citizen.person, now=now, **kwargs,
    )


def issue_to_enterprise(world: World, now, legal=None, **kwargs):
    kwargs.setdefault("fields", {"business_scope": "软件开发", "registered_capital": 100})
    return services.licence_issue(
        actor=world.chief, licence_type=world.legal_type,
        holder_legal=legal or LegalPersonFactory(), now=now, **kwargs,
    )
