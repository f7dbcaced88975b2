"""The world most tests happen in: a city with its service centre and 市场监督管理局,
another city, staff in every role, a citizen, an agent authorised by an enterprise, and
two catalog items (``build_world``; fixture ``world``, loaded by the root conftest).

For the tests of any app that sits above the catalog (it builds catalog items and
organisations); apps on the catalog's row or below use their own factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the models load with Django, after this plugin
    from onewindow.identity.models import Account, LegalPerson, Organisation


FOOD_MATERIALS = [
    {"name": "食品经营许可申请书", "original_count": 1},
    {"name": "营业执照", "original_count": 0, "copy_count": 1, "source": "AGENCY",
     "issuing_agency": "市场监督管理局", "licence_type_code": "LIC-BL"},
    {"name": "经营场所使用证明", "original_count": 0, "copy_count": 1,
     "tolerance_allowed": True, "tolerance_supply_days": 10},
    {"name": "食品安全管理制度", "original_count": 1},
    {"name": "委托书", "requirement": "OPTIONAL", "original_count": 1},
]


@dataclass
class World:
    city: Organisation
    centre: Organisation
    dept: Organisation
    other_city: Organisation
    other_centre: Organisation
    other_dept: Organisation
    clerk: Account
    other_clerk: Account
    handler: Account
    chief: Account
    supervisor: Account
    citizen: Account
    agent: Account
    enterprise: LegalPerson
    item: object
    instant_item: object


def build_world(*, now: dt.datetime) -> World:
    """A city (测试市) with its service centre and 市场监督管理局, another city with its
    own, a window clerk, handler, chief representative and supervisor, a citizen, an agent
    authorised by an enterprise, and two items of the department (食品经营许可 with the
    materials above, and an instant 个体工商户设立登记)."""
    from onewindow.catalog.tests.factories import make_item
    from onewindow.identity.models import Account, AgentAuthorization, Role
    from onewindow.identity.tests.factories import (
        CentreFactory,
        CitizenFactory,
        LegalPersonFactory,
        NaturalPersonFactory,
        OrganisationFactory,
        StaffFactory,
        grant,
    )

    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    centre = CentreFactory(parent=city, name="测试市政务服务中心")
    dept = OrganisationFactory(parent=city, name="测试市市场监督管理局")
    other_city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="外市人民政府",
                                     region_code="371100")
    other_centre = CentreFactory(parent=other_city, name="外市政务服务中心",
                                 region_code="371100")
    other_dept = OrganisationFactory(parent=other_city, name="外市市场监督管理局",
                                     region_code="371100")
    clerk = StaffFactory(organisation=centre, display_name="窗口甲")
    grant(clerk, Role.WINDOW_CLERK, centre)
    other_clerk = StaffFactory(organisation=other_centre, display_name="外市窗口")
    grant(other_clerk, Role.WINDOW_CLERK, other_centre)
    handler = StaffFactory(organisation=dept, display_name="承办人")
    grant(handler, Role.HANDLER, dept)
    chief = StaffFactory(organisation=dept, display_name="首席代表")
    grant(chief, Role.CHIEF_REPRESENTATIVE, dept)
    supervisor = StaffFactory(organisation=city, display_name="监察员")
    grant(supervisor, Role.SUPERVISOR, city)
    citizen = CitizenFactory()
    agent = CitizenFactory(kind=Account.Kind.AGENT, person=NaturalPersonFactory())
    enterprise = LegalPersonFactory()
    AgentAuthorization.objects.create(account=agent, legal_person=enterprise, granted_at=now)
    item = make_item(organisation=dept, now=now, name="食品经营许可（新办）",
                     materials=FOOD_MATERIALS)
    instant_item = make_item(
        organisation=dept, now=now, name="个体工商户设立登记", handling_type="1",
        legal_limit_amount=0, promised_limit_amount=0,
        materials=[{"name": "个体工商户登记申请书", "original_count": 1}],
    )
    return World(city, centre, dept, other_city, other_centre, other_dept, clerk, other_clerk,
                 handler, chief, supervisor, citizen, agent, enterprise, item, instant_item)


@pytest.fixture
def world(db, now) -> World:
    return build_world(now=now)
