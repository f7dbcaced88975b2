"""Demo licences for ``onewindow demo`` (called by the demo command, never by migrations).

Needs the demo organisations and people (web.demo) to exist; re-running changes nothing:
types are looked up by code and licences are issued with a demo case number, which makes
``licence_issue`` idempotent. ``web.demo_items`` creates the types with the items that
name them.
"""

import datetime as dt

from django.db import transaction

from onewindow.identity.models import LegalPerson, NaturalPerson, Organisation

from .models import HolderKind, LicenceType
from .services import licence_issue_inner, licence_type_create_inner

AMR_CODE = "11371000MB1000002T"  # 威海市市场监督管理局
PSB_CODE = "11371000MB1000007A"  # 威海市公安局
CITIZEN_ID = "37100219900307002X"  # citizen1 张晓明
ENTERPRISE_CODE = "91371002MA3C8K6T2W"  # 威海海纳科技有限公司

# 证照类型代码 = the defining body's credit code + 3 digits, invented but well-formed. The
# demo items (web.demo_items) name the same codes: as the result an item produces
# (``result_licence_type``) and as the licence that can replace a material
# (``licence_type_code``, 免证办). The national types are defined by invented national
# bodies and issued here by the Weihai departments.
BUSINESS_LICENCE_TYPE = "11100000MB0143028C001"  # 营业执照（企业）
INDIVIDUAL_BUSINESS_LICENCE_TYPE = "11100000MB0143028C002"  # 个体工商户营业执照
FOOD_LICENCE_TYPE = "11100000MB0143028C003"  # 食品经营许可证
ID_CARD_TYPE = "11100000000019713D002"  # 居民身份证

# ``form_field``: the application-form field a type field is filled from when a case that
# produces the licence is approved (cases.services.licensing).
TYPES = [
    # code, name, issuer credit code, holder kind, validity months, fields
    (BUSINESS_LICENCE_TYPE, "营业执照", AMR_CODE, HolderKind.LEGAL_PERSON, None, [
        {"name": "entity_type", "label": "类型", "type": "text", "required": True},
        {"name": "legal_representative", "label": "法定代表人", "type": "text",
         "required": True},
        {"name": "registered_capital", "label": "注册资本（万元）", "type": "integer"},
        {"name": "established", "label": "成立日期", "type": "date", "required": True},
        {"name": "address", "label": "住所", "type": "text"},
        {"name": "business_scope", "label": "经营范围", "type": "text", "required": True,
         "form_field": "application_content"},
    ]),
    (INDIVIDUAL_BUSINESS_LICENCE_TYPE, "个体工商户营业执照", AMR_CODE, HolderKind.PERSON, None, [
        {"name": "business_scope", "label": "经营范围", "type": "text", "required": True,
         "form_field": "application_content"},
        {"name": "premises", "label": "经营场所", "type": "text",
         "form_field": "contact_address"},
    ]),
    # After the real 食品经营许可证 (国家市场监督管理总局 2023 版): 有效期 is the licence's own
    # validity (valid_from – valid_until). The 新办 item maps these fields from its form's
    # answers (web.demo_items FOOD_LICENCE_MAPPING); ``form_field`` is the rule for items
    # without a mapping (the 延续).
    (FOOD_LICENCE_TYPE, "食品经营许可证", AMR_CODE, HolderKind.PERSON, 60, [
        {"name": "operator_name", "label": "经营者名称", "type": "text", "required": True,
         "form_field": "contact_name"},
        {"name": "credit_code", "label": "社会信用代码", "type": "text"},
        {"name": "legal_representative", "label": "法定代表人（负责人）", "type": "text",
         "form_field": "legal_representative"},
        {"name": "residence", "label": "住所", "type": "text"},
        {"name": "premises", "label": "经营场所", "type": "text", "required": True,
         "form_field": "contact_address"},
        {"name": "business_format", "label": "主体业态", "type": "text"},
        {"name": "business_items", "label": "经营项目", "type": "text", "required": True,
         "form_field": "application_content"},
        {"name": "supervisor_org", "label": "日常监督管理机构", "type": "text"},
    ]),
    (ID_CARD_TYPE, "居民身份证", PSB_CODE, HolderKind.PERSON, 240, [
        {"name": "address", "label": "住址", "type": "text"},
    ]),
]


def seed_demo_licence_types(*, now: dt.datetime) -> dict[str, LicenceType]:
    """The demo licence types by code, created if missing (each issued by its demo
    department when that exists). The demo items need them: approving an item that
    produces a licence issues one of these, and 免证办 looks them up."""
    types = {}
    with transaction.atomic():
        for code, name, issuer_code, holder_kind, months, fields in TYPES:
            types[code] = LicenceType.objects.filter(code=code).first()
            types[code] = types[code] or licence_type_create_inner(
                actor=None, code=code, name=name,
                issuers=list(Organisation.objects.filter(credit_code=issuer_code)),
                holder_kind=holder_kind, validity_months=months, field_schema=fields, now=now,
            )
    return types


def seed_demo_licences(*, now: dt.datetime) -> list:
    """The demo licence types and two licences: the demo enterprise's 营业执照 and
    citizen1's 食品经营许可证. Returns the licences (the existing ones when run again)."""
    issuer = Organisation.objects.filter(credit_code=AMR_CODE).first()
    person = NaturalPerson.objects.filter(id_number=CITIZEN_ID).first()
    legal = LegalPerson.objects.filter(credit_code=ENTERPRISE_CODE).first()
    if issuer is None or person is None or legal is None:
        return []
    with transaction.atomic():
        types = seed_demo_licence_types(now=now)
        business = licence_issue_inner(
            actor=None, licence_type=types[BUSINESS_LICENCE_TYPE], holder_legal=legal,
            case_number="DEMO-LIC-1",
            fields={"entity_type": "有限责任公司（自然人投资或控股）",
                    "legal_representative": legal.legal_representative or "王建国",
                    "registered_capital": 500, "established": "2019-05-20",
                    "address": "山东省威海市环翠区高区火炬路 213 号",
                    "business_scope": "软件开发；信息技术咨询服务"},
            now=now,
        )
        food = licence_issue_inner(
            actor=None, licence_type=types[FOOD_LICENCE_TYPE], holder_person=person,
            case_number="DEMO-LIC-2",
            fields={"operator_name": person.name, "premises": "山东省威海市环翠区新威路 18 号",
                    "residence": "山东省威海市环翠区新威路 18 号",
                    "business_format": "食品销售经营者", "business_items": "预包装食品销售",
                    "supervisor_org": "威海市环翠区市场监督管理局鲸园市场监督管理所"},
            now=now,
        )
    return [business, food]
