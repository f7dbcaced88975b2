"""Fixtures of the catalog tests."""

from pathlib import Path

import pytest

from onewindow.identity.models import Role
from onewindow.identity.tests.factories import OrganisationFactory, StaffFactory, grant

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "gd_zwfw_items.jsonl"
EXAMPLE_CODE = "11440000006940116U2440102002003"  # 中小学地方课程教材初审


def bundled_lines() -> list[str]:
    """The Guangdong file as the product ships it (never /work/shared)."""
    return BUNDLED.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def tree():
    """A city government with two departments, each with a catalog admin."""
    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    dept_a = OrganisationFactory(parent=city, name="甲局")
    dept_b = OrganisationFactory(parent=city, name="乙局")
    admin_a = StaffFactory(organisation=dept_a)
    admin_b = StaffFactory(organisation=dept_b)
    city_admin = StaffFactory(organisation=city)
    grant(admin_a, Role.CATALOG_ADMIN, dept_a)
    grant(admin_b, Role.CATALOG_ADMIN, dept_b)
    grant(city_admin, Role.CATALOG_ADMIN, city)
    return {"city": city, "dept_a": dept_a, "dept_b": dept_b, "admin_a": admin_a,
            "admin_b": admin_b, "city_admin": city_admin}
