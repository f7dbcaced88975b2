"""Demo service items for ``onewindow demo``: five published Weihai implementations of the
demo departments, made through the catalog services (so they are exactly what a catalog
admin would have made), plus the 即办 authorisation of the demo window clerk.

实施编码 = the department's 统一社会信用代码 (18) + 行使层级 "3" (市级) + a 12-character
基本编码 of the right shape: region "37" (山东), 事项类型 (01 行政许可, 20 公共服务), 5-digit
主项, 3-digit 子项. The codes are invented for the demo.

Only the demo command calls this, after ``load_identity``. Re-running it changes nothing.
"""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from onewindow.catalog import services as catalog
from onewindow.catalog.demo_forms import FORMS
from onewindow.catalog.models import Implementation, ImplementationVersion
from onewindow.identity import services as identity
from onewindow.identity.models import Account, Organisation, Role
from onewindow.licences.demo import seed_demo_licence_types

# 证照类型代码 (defining body's credit code + 3 digits), invented but well-formed, so the
# licence library (免证办, Cases III) can match materials to licences. The same codes as
# licences.demo.TYPES, which ``load_demo_items`` creates with the items.
BUSINESS_LICENCE_TYPE = "11100000MB0143028C001"  # 营业执照
ID_CARD_TYPE = "11100000000019713D002"  # 居民身份证
INDIVIDUAL_BUSINESS_LICENCE_TYPE = "11100000MB0143028C002"  # 个体工商户营业执照
FOOD_LICENCE_TYPE = "11100000MB0143028C003"  # 食品经营许可证

AMR = "威海市市场监督管理局"
HRSS = "威海市人力资源和社会保障局"
HEALTH = "威海市卫生健康委员会"

_COMMON = {
    "service_objects": ["1", "2"],
    "handling_forms": ["1", "2", "3"],
    "location": "威海市政务服务中心一楼综合受理区（威海市环翠区青岛北路 95 号）",
    "office_hours": "周一至周五 上午 9:00–12:00，下午 13:30–17:00（法定节假日除外）",
    "consult_phone": "0631-12345",
    "complaint_phone": "0631-12345",
}

BLANK_FORM_PATH = "catalog/forms/demo-food-business-licence-application.pdf"

# 现场核查要点 of 食品经营许可（新办）, after the 食品经营许可审查通则 (ADR 0031 shape). An
# item with a checklist runs a 现场核查 step between 审查 and 决定 (workflow.defaults).
FOOD_CHECKLIST = [
    {"key": "premises_match", "text": "经营场所与申请材料一致，与营业执照登记的住所或经营场所相符"},
    {"key": "layout", "text": "布局流程合理，生熟分开，原料、半成品、成品分区存放"},
    {"key": "equipment", "text": "设备设施齐全：冷藏冷冻、消毒、洗手、防蝇防鼠防虫设施"},
    {"key": "staff_health", "text": "从业人员持有有效健康证明"},
    {"key": "safety_rules", "text": "食品安全管理制度健全，配备食品安全管理人员"},
    {"key": "pollution_distance", "text": "距离粪坑、污水池、垃圾场等污染源 25 米以上"},
    {"key": "water_supply", "text": "使用的水符合生活饮用水卫生标准"},
]

# 食品经营许可证 fields ← the 新办 form's answers (ADR 0031 sources). The answer keys are
# the ones the item's form uses: operator_name, credit_code, legal_representative,
# residence and premises (addresses), business_format (choice), business_items (multiple
# choice), supervisor_org (text).
FOOD_LICENCE_MAPPING = {
    "operator_name": "answers.operator_name",
    "credit_code": "answers.credit_code",
    "legal_representative": "answers.legal_representative",
    "residence": "answers.domicile",
    "premises": "answers.premises",
    "business_format": "answers.operator_type",
    "business_items": "answers.business_items",
    # 日常监督管理机构: the department that issues it supervises (the form does not ask).
    "supervisor_org": "case.organisation",
}
# The 延续 has no form of its own yet: the holder's name from the applicant.
FOOD_RENEWAL_MAPPING = {"operator_name": "applicant.name",
                        "credit_code": "applicant.credit_code",
                        "legal_representative": "applicant.legal_representative"}

ITEMS: list[dict[str, Any]] = [
    {
        "organisation": AMR,
        "basic_code": "370100123001",
        "entry_name": "食品经营许可",
        "item_type": "01",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。",
        "elements": {
            **_COMMON,
            "name": "食品经营许可（新办）",
            "short_name": "食品经营许可新办",
            "handling_type": "2",
            "legal_limit_amount": 20, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 5, "promised_limit_unit": "WORKING_DAY",
            "visit_count": 0, "online_depth": "FULLY_ONLINE",
            "acceptance_conditions": (
                "已取得营业执照等合法主体资格；具有与经营的食品品种、数量相适应的"
                "经营场所和食品安全管理制度。"
            ),
            "result_name": "食品经营许可证", "result_kind": "LICENCE",
            "result_licence_type": FOOD_LICENCE_TYPE,
            "implementation_basis": (
                "《中华人民共和国食品安全法》第三十五条\n"
                "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
            ),
            "inspection_checklist": FOOD_CHECKLIST,
            "licence_mapping": FOOD_LICENCE_MAPPING,
            "materials": [
                {"name": "食品经营许可申请书", "original_count": 1, "medium": "BOTH",
                 "blank_form": BLANK_FORM_PATH},
                {"name": "营业执照", "original_count": 0, "copy_count": 1, "medium": "BOTH",
                 "source": "AGENCY", "issuing_agency": "市场监督管理部门",
                 "licence_type_code": BUSINESS_LICENCE_TYPE},
                {"name": "经营场所使用证明（产权证明或租赁协议）", "original_count": 0,
                 "copy_count": 1, "medium": "BOTH", "tolerance_allowed": True,
                 "tolerance_supply_days": 10},
                {"name": "食品安全管理制度文本", "original_count": 1, "medium": "BOTH"},
            ],
        },
    },
    {
        "organisation": AMR,
        "basic_code": "370100124001",
        "entry_name": "个体工商户登记",
        "item_type": "01",
        "elements": {
            **_COMMON,
            "name": "个体工商户设立登记",
            "service_objects": ["1"],
            "handling_type": "1",
            "legal_limit_amount": 0, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 0, "promised_limit_unit": "WORKING_DAY",
            "visit_count": 0, "online_depth": "FULLY_ONLINE",
            "acceptance_conditions": "有经营能力的自然人；申请材料齐全、符合法定形式的当场登记。",
            # A natural person registers: the result is the 个体工商户营业执照 held by
            # the person (the enterprise 营业执照 type is for legal persons).
            "result_name": "个体工商户营业执照", "result_kind": "LICENCE",
            "result_licence_type": INDIVIDUAL_BUSINESS_LICENCE_TYPE,
            "materials": [
                {"name": "个体工商户登记（备案）申请书", "original_count": 1, "medium": "BOTH"},
                {"name": "经营者身份证明", "original_count": 0, "copy_count": 1,
                 "medium": "BOTH", "source": "AGENCY", "issuing_agency": "公安机关",
                 "licence_type_code": ID_CARD_TYPE},
                {"name": "经营场所使用证明", "original_count": 0, "copy_count": 1,
                 "medium": "BOTH", "tolerance_allowed": True},
            ],
        },
    },
    {
        "organisation": HRSS,
        "basic_code": "372000311002",
        "entry_name": "社会保障卡服务",
        "item_type": "20",
        "elements": {
            **_COMMON,
            "name": "社会保障卡补领",
            "service_objects": ["1"],
            "handling_type": "2",
            "legal_limit_amount": 5, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 1, "promised_limit_unit": "WORKING_DAY",
            "visit_count": 1, "online_depth": "AT_MOST_ONCE",
            "acceptance_conditions": "已参加社会保险并领取过社会保障卡，卡片遗失或损坏。",
            "result_name": "社会保障卡", "result_kind": "OTHER",
            "materials": [
                {"name": "居民身份证", "original_count": 1, "medium": "BOTH",
                 "source": "AGENCY", "issuing_agency": "公安机关",
                 "licence_type_code": ID_CARD_TYPE},
                {"name": "近期一寸免冠彩色照片（电子版）", "medium": "ELECTRONIC",
                 "original_count": 0, "copy_count": 0},
            ],
        },
    },
    {
        "organisation": HEALTH,
        "basic_code": "370100215001",
        "entry_name": "公共场所卫生许可",
        "item_type": "01",
        "elements": {
            **_COMMON,
            "name": "公共场所卫生许可（新办）",
            "service_objects": ["2"],
            "handling_type": "2",
            "legal_limit_amount": 20, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 7, "promised_limit_unit": "WORKING_DAY",
            "visit_count": 1, "online_depth": "AT_MOST_ONCE",
            "acceptance_conditions": "住宿、沐浴、美容美发等公共场所经营者，场所卫生条件符合要求。",
            "result_name": "公共场所卫生许可证", "result_kind": "LICENCE",
            "materials": [
                {"name": "公共场所卫生许可申请表", "original_count": 1},
                {"name": "营业执照", "original_count": 0, "copy_count": 1,
                 "source": "AGENCY", "issuing_agency": "市场监督管理部门",
                 "licence_type_code": BUSINESS_LICENCE_TYPE},
                {"name": "卫生检测报告", "original_count": 1, "tolerance_allowed": True},
                {"name": "从业人员健康合格证明", "original_count": 0, "copy_count": 1},
            ],
        },
    },
    {
        # 免证办: a holder of a valid 食品经营许可证 in the licence library uploads nothing
        # for the licence itself.
        "organisation": AMR,
        "basic_code": "370100123002",
        "entry_name": "食品经营许可（延续）",
        "item_type": "01",
        "elements": {
            **_COMMON,
            "name": "食品经营许可（延续）",
            "short_name": "食品经营许可延续",
            "licence_mapping": FOOD_RENEWAL_MAPPING,
            "handling_type": "2",
            "legal_limit_amount": 20, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 5, "promised_limit_unit": "WORKING_DAY",
            "visit_count": 0, "online_depth": "FULLY_ONLINE",
            "acceptance_conditions": (
                "食品经营许可证有效期届满前需要继续从事食品经营活动的，应在有效期届满"
                "30 个工作日前提出延续申请；经营条件未发生变化。"
            ),
            "result_name": "食品经营许可证", "result_kind": "LICENCE",
            "result_licence_type": FOOD_LICENCE_TYPE,
            "materials": [
                {"name": "食品经营许可延续申请书", "original_count": 1, "medium": "BOTH"},
                {"name": "食品经营许可证", "original_count": 1, "copy_count": 0,
                 "medium": "BOTH", "source": "AGENCY", "issuing_agency": "市场监督管理部门",
                 "licence_type_code": FOOD_LICENCE_TYPE,
                 "note": "已领取电子证照的，由电子证照库调取，无需提交。"},
                {"name": "食品安全自查报告", "original_count": 1, "medium": "BOTH",
                 "requirement": "OPTIONAL"},
            ],
        },
    },
]

# The departments whose 即办件 the demo window clerk may decide on the spot: the
# department authorises the clerk by granting the role over itself (cases.permissions).
INSTANT_AUTHORISATIONS = [("clerk1", AMR), ("clerk1", HRSS)]


def _blank_form() -> None:
    if default_storage.exists(BLANK_FORM_PATH):
        return
    from weasyprint import HTML

    html = (
        "<html><body style=\"font-family: 'Noto Sans CJK SC', sans-serif\">"
        "<h1 style='text-align:center'>食品经营许可申请书</h1>"
        "<p>申请人名称：______________________　统一社会信用代码：__________________</p>"
        "<p>经营场所：__________________________________________</p>"
        "<p>主体业态：□食品销售经营者　□餐饮服务经营者　□单位食堂</p>"
        "<p>经营项目：__________________________________________</p>"
        "<p>申请人承诺所提交的材料真实有效。　　申请人（签字/盖章）：__________</p>"
        "</body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    if pdf is None:  # only when write_pdf is given a target to write to
        raise RuntimeError("WeasyPrint returned no PDF")
    default_storage.save(BLANK_FORM_PATH, ContentFile(pdf))


def load_demo_items(*, now: dt.datetime) -> list[Implementation]:
    """Create and publish the demo items (skipping those that exist) and the licence types
    they name; return all of them."""
    _blank_form()
    seed_demo_licence_types(now=now)
    result = []
    for spec in ITEMS:
        organisation = Organisation.objects.filter(name=spec["organisation"]).first()
        if organisation is None:
            continue  # the identity demo data was not loaded
        code = catalog.compose_code(credit_code=organisation.credit_code, level="3",
                                    basic_code=spec["basic_code"])
        existing = Implementation.objects.filter(code=code).first()
        if existing is not None:
            result.append(existing)
            continue
        catalog.entry_upsert(actor=None, basic_code=spec["basic_code"], name=spec["entry_name"],
                             item_type=spec["item_type"], exercise_level="3",
                             legal_basis=spec.get("legal_basis", ""), now=now)
        elements = dict(spec["elements"])
        # Issue 13's version fields, not among the catalog's editable elements (yet): set on
        # the draft before it is published, so the published version carries them.
        extra = {key: elements.pop(key) for key in ("inspection_checklist", "licence_mapping")
                 if key in elements}
        implementation = catalog.item_create(
            actor=None, organisation=organisation, basic_code=spec["basic_code"],
            elements={**elements, "form": FORMS[spec["basic_code"]]}, level="3", now=now,
        )
        if extra:
            ImplementationVersion.objects.filter(implementation=implementation,
                                                 number=1).update(**extra)
        catalog.item_publish(actor=None, implementation=implementation,
                             reason="演示数据首次发布", now=now)
        implementation.refresh_from_db()
        result.append(implementation)
    for username, organisation_name in INSTANT_AUTHORISATIONS:
        account = Account.objects.filter(username=username).first()
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if account is not None and organisation is not None:
            identity.role_grant_inner(actor=None, account=account, role=Role.WINDOW_CLERK,
                                      organisation=organisation, now=now)
    return result
