"""Catalog administrators find in their lists exactly the items they may edit and
publish (can_on_implementation and implementations_q), department by department."""

import pytest

from onewindow.catalog import permissions as perms
from onewindow.catalog.models import Implementation
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import OrganisationFactory, StaffFactory, grant
from onewindow.testing import assert_parity

from .factories import make_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", [perms.EDIT_ITEM, perms.PUBLISH_ITEM, perms.SUSPEND_ITEM])
def test_item_rules_and_item_lists_agree(now, action):
    city = OrganisationFactory(kind="GOVERNMENT", name="测试市人民政府")
    dept_a = OrganisationFactory(parent=city, name="甲局")
    dept_b = OrganisationFactory(parent=city, name="乙局")
    items = {name: make_item(organisation=org, now=now, name=f"{name}事项")
             for name, org in (("甲局", dept_a), ("乙局", dept_b), ("市政府", city))}
    actors = {}
    for name, role, org in (("甲局管理员", Role.CATALOG_ADMIN, dept_a),
                            ("市管理员", Role.CATALOG_ADMIN, city),
                            ("甲局承办人", Role.HANDLER, dept_a),
                            ("系统管理员", Role.SYSTEM_ADMIN, city)):
        account = StaffFactory(organisation=org)
        grant(account, role, org)
        actors[name] = account
    assert_parity(
        can=lambda a, i: perms.can_on_implementation(actor=a, action=action, implementation=i),
        q=lambda a: perms.implementations_q(actor=a, action=action),
        queryset=Implementation.objects.all(), actors=actors, objects=items)
