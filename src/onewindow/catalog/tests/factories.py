"""Factories and builders for catalog tests (and tests of apps above the catalog).

``make_item`` goes through the services, so the item it returns is what a catalog admin
would have made: a CatalogEntry, an Implementation and a published version 1.
"""

import itertools

import factory
from django.utils import timezone

from onewindow.catalog import services
from onewindow.catalog.codes import ItemType, ThemeAudience
from onewindow.catalog.models import CatalogEntry, Implementation, Theme
from onewindow.identity.tests.factories import OrganisationFactory

_serial = itertools.count(1)


def make_basic_code(item_type: str = "01") -> str:
    return f"44{item_type}{next(_serial):05d}000"


class CatalogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogEntry

    basic_code = factory.LazyFunction(make_basic_code)
    name = factory.Sequence(lambda n: f"测试基本目录{n}")
    item_type = ItemType.LICENSING
    exercise_level = "3"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"测试主题{n}")
    audience = ThemeAudience.INDIVIDUAL


def make_elements(**overrides) -> dict:
    """A complete, valid elements dict: 法定 20 working days, 承诺 5, two materials."""
    elements = {
        "name": "测试事项",
        "service_objects": ["1", "2"],
        "handling_forms": ["1", "2"],
        "handling_type": "2",
        "legal_limit_amount": 20, "legal_limit_unit": "WORKING_DAY",
        "promised_limit_amount": 5, "promised_limit_unit": "WORKING_DAY",
        "visit_count": 1, "online_depth": "AT_MOST_ONCE",
        "acceptance_conditions": "申请人符合条件。",
        "location": "政务服务中心一楼 3 号窗口",
        "office_hours": "工作日 9:00–17:00",
        "consult_phone": "0631-12345",
        "materials": [
            {"name": "申请表", "original_count": 1},
            {"name": "营业执照", "requirement": "CONDITIONAL", "condition": "企业申请时提交",
             "original_count": 0, "copy_count": 1, "source": "AGENCY",
             "issuing_agency": "市场监督管理局", "licence_type_code": "LIC-BL"},
        ],
    }
    elements.update(overrides)
    return elements


def make_item(*, organisation=None, entry=None, now=None, publish: bool = True, level=None,
              **element_overrides) -> Implementation:
    """A new item (by the system actor), published as version 1 unless ``publish=False``."""
    now = now or timezone.now()
    organisation = organisation or OrganisationFactory()
    entry = entry or CatalogEntryFactory()
    implementation = services.item_create(
        actor=None, organisation=organisation, basic_code=entry.basic_code,
        elements=make_elements(**element_overrides), level=level, now=now,
    )
    if publish:
        services.item_publish(actor=None, implementation=implementation, reason="首次发布", now=now)
        implementation.refresh_from_db()
    return implementation
