"""The structured application forms (ADR 0031) of the five Weihai demo items (the demo
command gives them to the items web.demo_items creates; tests use them as sample forms).

食品经营许可（新办） follows the 食品经营许可证 and its application under the
《食品经营许可和备案管理办法》 (国家市场监督管理总局令第78号, 2023): 经营者名称,
统一社会信用代码, 法定代表人（负责人）, 住所, 经营场所, 主体业态, 经营项目 from the code
lists of catalog.forms, the 从业人员 as a repeating group, and a page on the dining
premises only for 餐饮服务经营者. Values the state already holds come from the account,
the enterprise and its 营业执照 (免填).
"""

# 证照类型代码 of the demo licence types (the same as licences.demo and web.demo_items:
# catalog may not import licences, both being registries).
BUSINESS_LICENCE_TYPE = "11100000MB0143028C001"  # 营业执照
FOOD_LICENCE_TYPE = "11100000MB0143028C003"  # 食品经营许可证


def _f(key: str, type_: str, label: str, **extra) -> dict:
    return {"key": key, "type": type_, "label": label, **extra}


_STAFF = _f(
    "staff", "group", "从业人员", label_en="Staff", required=True, min_items=1, max_items=50,
    hint="列出直接接触入口食品的从业人员，每人一行。",
    hint_en="Everyone who handles food ready to eat, one entry each.",
    fields=[
        _f("staff_name", "text", "姓名", label_en="Name", required=True, max_length=50),
        _f("staff_post", "text", "岗位", label_en="Post", max_length=50),
        _f("health_certificate_no", "text", "健康证明编号", label_en="Health certificate number",
           required=True, max_length=50),
        _f("health_certificate_valid_to", "date", "健康证明有效期至",
           label_en="Health certificate valid until", required=True),
    ],
)

FOOD_NEW = {
    "schema": 1,
    "pages": [
        {"key": "operator", "title": "经营者信息", "title_en": "The operator",
         "hint": "以下信息来自您的企业登记和营业执照，如有变化请先办理变更登记。",
         "hint_en": "These come from your enterprise's registration and business licence; "
                    "if they changed, register the change first.",
         "fields": [
             _f("operator_name", "text", "经营者名称", label_en="Operator name",
                required=True, source="legal.name", locked=True, max_length=100),
             _f("credit_code", "credit_code", "社会信用代码", label_en="Unified social credit code",
                required=True, source="legal.credit_code", locked=True),
             _f("legal_representative", "text", "法定代表人（负责人）",
                label_en="Legal representative (person in charge)", required=True,
                source=f"licence:{BUSINESS_LICENCE_TYPE}.legal_representative", max_length=50),
             _f("domicile", "text", "住所", label_en="Domicile", required=True,
                source=f"licence:{BUSINESS_LICENCE_TYPE}.address", max_length=200),
         ]},
        {"key": "premises", "title": "经营场所", "title_en": "Business premises",
         "fields": [
             _f("premises", "address", "经营场所", label_en="Business premises", required=True,
                hint="填写食品经营的实际地点：区县和详细地址（路、号、室）。",
                hint_en="Where the food business is run: district and street address."),
             _f("premises_area", "number", "经营场所面积", label_en="Floor area", required=True,
                min=1, max=100000, decimals=1, unit="平方米"),
             _f("storage_address", "text", "仓库地址", label_en="Warehouse address",
                hint="有独立仓库的填写。", hint_en="If you have a separate warehouse.",
                max_length=200),
         ]},
        {"key": "business", "title": "主体业态和经营项目", "title_en": "Type and business items",
         "fields": [
             _f("operator_type", "choice", "主体业态", label_en="Type of operator",
                required=True, code_table="food_operator_type"),
             _f("business_items", "choice", "经营项目", label_en="Business items",
                required=True, multiple=True, code_table="food_business_item"),
             _f("online_sales", "boolean", "是否通过网络经营", label_en="Selling online",
                required=True),
             _f("online_platform", "text", "网络经营平台或网址", label_en="Platform or website",
                required=True, show_if="online_sales == True", max_length=200),
         ]},
        {"key": "catering", "title": "餐饮服务场所", "title_en": "Catering premises",
         "show_if": 'operator_type == "catering"',
         "hint": "餐饮服务经营者填写。", "hint_en": "For catering operators.",
         "fields": [
             _f("dining_area", "number", "就餐场所面积", label_en="Dining area", required=True,
                min=0, max=100000, decimals=1, unit="平方米"),
             _f("seats", "number", "就餐座位数", label_en="Seats", required=True, min=0,
                max=10000, unit="个"),
             _f("kitchen_area", "number", "加工制作场所面积", label_en="Kitchen area",
                required=True, min=1, max=100000, decimals=1, unit="平方米"),
         ]},
        {"key": "people", "title": "食品安全管理人员和从业人员",
         "title_en": "Food safety manager and staff",
         "fields": [
             _f("safety_manager", "text", "食品安全管理人员", label_en="Food safety manager",
                required=True, max_length=50),
             _f("safety_manager_phone", "phone", "管理人员联系电话",
                label_en="Manager's phone", required=True),
             _STAFF,
         ]},
    ],
    "rules": [
        {"key": "kitchen_to_dining", "expression": "kitchen_area <= dining_area or seats == 0",
         "message": "加工制作场所面积不应大于就餐场所面积，请核对。",
         "message_en": "The kitchen should not be larger than the dining area.",
         "fields": ["kitchen_area"]},
    ],
}

FOOD_RENEWAL = {
    "schema": 1,
    "pages": [
        {"key": "licence", "title": "原许可证信息", "title_en": "The licence to renew",
         "hint": "已领取电子证照的，以下信息由电子证照库调取。",
         "hint_en": "Taken from the electronic licence library if you hold the licence.",
         "fields": [
             _f("licence_number", "text", "许可证编号", label_en="Licence number",
                required=True, source=f"licence:{FOOD_LICENCE_TYPE}.number", max_length=100),
             _f("premises_text", "text", "经营场所", label_en="Business premises",
                required=True, source=f"licence:{FOOD_LICENCE_TYPE}.premises", max_length=200),
             _f("category_text", "text", "经营项目", label_en="Business items", required=True,
                source=f"licence:{FOOD_LICENCE_TYPE}.category", max_length=500),
         ]},
        {"key": "changes", "title": "经营条件", "title_en": "Operating conditions",
         "fields": [
             _f("conditions_changed", "boolean", "经营条件是否发生变化",
                label_en="Have the operating conditions changed", required=True),
             _f("changes_description", "textarea", "变化情况说明", label_en="What changed",
                required=True, show_if="conditions_changed == True", max_length=1000),
         ]},
    ],
}

INDIVIDUAL_BUSINESS = {
    "schema": 1,
    "pages": [
        {"key": "operator", "title": "经营者", "title_en": "The operator",
         "fields": [
             _f("operator_name", "text", "经营者姓名", label_en="Name", required=True,
                source="account.name", locked=True, max_length=50),
             _f("operator_id_number", "id_number", "身份证号码", label_en="ID number",
                required=True, source="account.id_number", locked=True),
             _f("operator_phone", "phone", "联系电话", label_en="Phone", required=True,
                source="account.phone"),
         ]},
        {"key": "business", "title": "经营情况", "title_en": "The business",
         "fields": [
             _f("trade_name", "text", "个体工商户名称（字号）", label_en="Trade name",
                max_length=50),
             _f("industry", "choice", "行业", label_en="Industry", required=True,
                code_table="gbt4754_section"),
             _f("business_scope", "textarea", "经营范围", label_en="Business scope",
                required=True, max_length=500),
             _f("premises", "address", "经营场所", label_en="Premises", required=True),
             _f("capital", "money", "资金数额", label_en="Capital (yuan)", required=True),
             _f("employees", "number", "从业人数", label_en="Employees", required=True, min=1,
                max=1000, unit="人"),
         ]},
    ],
}

SOCIAL_SECURITY_CARD = {
    "schema": 1,
    "pages": [
        {"key": "card", "title": "补领原因", "title_en": "Why a new card",
         "fields": [
             _f("reason", "choice", "补领原因", label_en="Reason", required=True, options=[
                 {"value": "lost", "label": "遗失", "label_en": "Lost"},
                 {"value": "damaged", "label": "损坏", "label_en": "Damaged"},
             ]),
         ]},
        {"key": "delivery", "title": "领取方式", "title_en": "How to receive it",
         "fields": [
             _f("delivery", "choice", "领取方式", label_en="Delivery", required=True, options=[
                 {"value": "window", "label": "窗口领取", "label_en": "Collect at the window"},
                 {"value": "mail", "label": "邮寄", "label_en": "By post"},
             ]),
             _f("mail_address", "address", "邮寄地址", label_en="Postal address",
                required=True, show_if='delivery == "mail"', source="account.address"),
         ]},
    ],
}

PUBLIC_VENUE_HEALTH = {
    "schema": 1,
    "pages": [
        {"key": "operator", "title": "单位信息", "title_en": "The operator",
         "fields": [
             _f("unit_name", "text", "单位名称", label_en="Name", required=True,
                source="legal.name", locked=True, max_length=100),
             _f("credit_code", "credit_code", "统一社会信用代码",
                label_en="Unified social credit code", required=True,
                source="legal.credit_code", locked=True),
             _f("legal_representative", "text", "法定代表人", label_en="Legal representative",
                required=True,
                source=f"licence:{BUSINESS_LICENCE_TYPE}.legal_representative", max_length=50),
         ]},
        {"key": "venue", "title": "场所情况", "title_en": "The venue",
         "fields": [
             _f("venue_type", "choice", "场所类别", label_en="Kind of venue", required=True,
                options=[
                    {"value": "lodging", "label": "住宿场所", "label_en": "Lodging"},
                    {"value": "bathing", "label": "沐浴场所", "label_en": "Bathing"},
                    {"value": "beauty", "label": "美容美发场所", "label_en": "Hair and beauty"},
                    {"value": "swimming", "label": "游泳场所", "label_en": "Swimming"},
                ]),
             _f("venue_address", "address", "场所地址", label_en="Address", required=True),
             _f("venue_area", "number", "营业面积", label_en="Floor area", required=True,
                min=1, max=100000, decimals=1, unit="平方米"),
             _f("staff_count", "number", "从业人员数", label_en="Staff", required=True,
                min=1, max=5000, unit="人"),
         ]},
    ],
}

# By 基本编码 (web.demo_items.ITEMS).
FORMS = {
    "370100123001": FOOD_NEW,
    "370100124001": INDIVIDUAL_BUSINESS,
    "372000311002": SOCIAL_SECURITY_CARD,
    "370100215001": PUBLIC_VENUE_HEALTH,
    "370100123002": FOOD_RENEWAL,
}


# A complete application to each demo form (tests and walkthroughs use them): the values
# an applicant would type, the prefilled ones included for applicants without them.
SAMPLE_ANSWERS = {
    "370100123001": {
        "operator_name": "张晓明面馆", "credit_code": "92371002MA3C8K6T2R",
        "legal_representative": "张晓明", "domicile": "山东省威海市环翠区新威路 18 号",
        "premises": {"region_code": "371002", "street": "新威路 18 号"}, "premises_area": 85.5,
        "operator_type": "catering", "business_items": ["catering_hot", "catering_drinks"],
        "online_sales": False, "dining_area": 60, "seats": 32, "kitchen_area": 18,
        "safety_manager": "张晓明", "safety_manager_phone": "13806310001",
        "staff": [{"staff_name": "王师傅", "staff_post": "厨师",
                   "health_certificate_no": "JK-2026-0001",
                   "health_certificate_valid_to": "2027-06-30"}],
    },
    "370100124001": {
        "operator_name": "张晓明", "operator_id_number": "37100219900307002X",
        "operator_phone": "13806310001", "trade_name": "晓明小吃", "industry": "H",
        "business_scope": "热食类食品制售", "capital": "50000.00", "employees": 3,
        "premises": {"region_code": "371002", "street": "新威路 18 号"},
    },
    "372000311002": {"reason": "lost", "delivery": "window"},
    "370100215001": {
        "unit_name": "威海海纳科技有限公司", "credit_code": "91371002MA3C8K6T2W",
        "legal_representative": "王建国", "venue_type": "beauty",
        "venue_address": {"region_code": "371002", "street": "统一路 66 号"},
        "venue_area": 120, "staff_count": 6,
    },
    "370100123002": {
        "licence_number": "JY13710020000001", "premises_text": "山东省威海市环翠区新威路 18 号",
        "category_text": "预包装食品销售", "conditions_changed": False,
    },
}
