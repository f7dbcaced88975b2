"""Demo licences for ``onewindow demo`` (called by the demo command, never by migrations).

Needs the demo organisations and people (web.demo) to exist; re-running changes nothing:
types are looked up by code and licences are issued with a demo case number, which makes
``licence_issue`` idempotent.
"""

import datetime as dt

from django.db import transaction

from onewindow.identity.models import LegalPerson, NaturalPerson, Organisation

from .models import HolderKind, LicenceType
from .services import licence_issue, licence_type_create

AMR_CODE = "11371000MB1000002T"  # 威海市市场监督管理局
CITIZEN_ID = "37100219900307002X"  # citizen1 张晓明
ENTERPRISE_CODE = "91371002MA3C8K6T2W"  # 威海海纳科技有限公司

TYPES = [
    # code suffix, name, holder kind, validity months, fields
    ("001", "营业执照", HolderKind.LEGAL_PERSON, None, [
        {"name": "entity_type", "label": "类型", "type": "text", "required": True},
        {"name": "legal_representative", "label": "法定代表人", "type": "text",
         "required": True},
        {"name": "registered_capital", "label": "注册资本（万元）", "type": "integer"},
        {"name": "established", "label": "成立日期", "type": "date", "required": True},
        {"name": "business_scope", "label": "经营范围", "type": "text", "required": True},
    ]),
    ("002", "食品经营许可证", HolderKind.PERSON, 60, [
        {"name": "category", "label": "经营项目", "type": "text", "required": True},
        {"name": "premises", "label": "经营场所", "type": "text", "required": True},
    ]),
]


def seed_demo_licences(*, now: dt.datetime) -> list:
    """Two licence types of the market regulator and one licence of each in the demo
    holders' wallets. Returns the licences (existing ones when run again)."""
    issuer = Organisation.objects.filter(credit_code=AMR_CODE).first()
    person = NaturalPerson.objects.filter(id_number=CITIZEN_ID).first()
    legal = LegalPerson.objects.filter(credit_code=ENTERPRISE_CODE).first()
    if issuer is None or person is None or legal is None:
        return []
    with transaction.atomic():
        types = {}
        for suffix, name, holder_kind, months, fields in TYPES:
            code = f"{AMR_CODE}{suffix}"
            types[suffix] = LicenceType.objects.filter(code=code).first() or licence_type_create(
                actor=None, code=code, name=name, issuers=[issuer], holder_kind=holder_kind,
                validity_months=months, field_schema=fields, now=now,
            )
        business = licence_issue(
            actor=None, licence_type=types["001"], holder_legal=legal, case_number="DEMO-LIC-1",
            fields={"entity_type": "有限责任公司（自然人投资或控股）",
                    "legal_representative": legal.legal_representative or "王建国",
                    "registered_capital": 500, "established": "2019-05-20",
                    "business_scope": "软件开发；信息技术咨询服务"},
            now=now,
        )
        food = licence_issue(
            actor=None, licence_type=types["002"], holder_person=person,
            case_number="DEMO-LIC-2",
            fields={"category": "预包装食品销售", "premises": "山东省威海市环翠区新威路 18 号"},
            now=now,
        )
    return [business, food]
