"""Code tables of structured forms and the 行政区划 names of address answers."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop
from stdnum import numdb

SCHEMA_VERSION = 1
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# ``details["codes"]`` holds the per-field codes next to the per-field messages.
RESERVED_KEYS = frozenset({"codes"})

FIELD_TYPES = (
    "text", "textarea", "number", "money", "date", "choice", "boolean", "address",
    "id_number", "credit_code", "phone", "email", "group", "file",
)

MAX_PAGES = 30
MAX_FIELDS = 300
MAX_OPTIONS = 500
MAX_GROUP_ITEMS = 200
MAX_TEXT = 5000
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
MAX_STREET = 200
MAX_EMAIL = 254
MAX_MONEY = Decimal("999999999999.99")
MAX_NUMBER = 1e15

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MONEY_RE = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REGION_RE = re.compile(r"^\d{6}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The per-field codes of ADR 0031 (``details["codes"][key]``).
REQUIRED, UNKNOWN, TYPE, OPTION, LENGTH, RANGE = (
    "required", "unknown", "type", "option", "length", "range")
PATTERN, FORMAT, HIDDEN, LOCKED, NOT_OWN_MATERIAL, RULE = (
    "pattern", "format", "hidden", "locked", "not-own-material", "rule")


# --- code tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str = ""


def _table(*rows: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in rows)


# 主体业态 and 经营项目 as the 《食品经营许可和备案管理办法》 (国家市场监督管理总局令第78号,
# 2023) and its 《食品经营许可和备案经营项目分类目录》 name them: three kinds of operator;
# projects in the three classes 食品销售, 餐饮服务 and 食品经营管理.
FOOD_OPERATOR_TYPES = _table(
    ("food_sales", gettext_noop("食品销售经营者")),
    ("catering", gettext_noop("餐饮服务经营者")),
    ("canteen", gettext_noop("集中用餐单位食堂")),
)
FOOD_BUSINESS_ITEMS = _table(
    ("sales_bulk", gettext_noop("散装食品销售")),
    ("sales_special_health", gettext_noop("保健食品销售")),
    ("sales_special_medical", gettext_noop("特殊医学用途配方食品销售")),
    ("sales_infant_formula", gettext_noop("婴幼儿配方乳粉销售")),
    ("sales_infant_food", gettext_noop("婴幼儿配方食品销售")),
    ("sales_other", gettext_noop("其他类食品销售")),
    ("catering_hot", gettext_noop("热食类食品制售")),
    ("catering_cold", gettext_noop("冷食类食品制售")),
    ("catering_raw", gettext_noop("生食类食品制售")),
    ("catering_semi", gettext_noop("半成品制售")),
    ("catering_drinks", gettext_noop("自制饮品制售")),
    ("catering_other", gettext_noop("其他类食品制售")),
    ("management_sales_chain", gettext_noop("食品销售连锁管理")),
    ("management_catering_chain", gettext_noop("餐饮服务连锁管理")),
    ("management_catering", gettext_noop("餐饮服务管理")),
)
# GB/T 4754-2017《国民经济行业分类》: the 20 门类 (sections A–T).
INDUSTRY_SECTIONS = _table(
    ("A", gettext_noop("农、林、牧、渔业")),
    ("B", gettext_noop("采矿业")),
    ("C", gettext_noop("制造业")),
    ("D", gettext_noop("电力、热力、燃气及水生产和供应业")),
    ("E", gettext_noop("建筑业")),
    ("F", gettext_noop("批发和零售业")),
    ("G", gettext_noop("交通运输、仓储和邮政业")),
    ("H", gettext_noop("住宿和餐饮业")),
    ("I", gettext_noop("信息传输、软件和信息技术服务业")),
    ("J", gettext_noop("金融业")),
    ("K", gettext_noop("房地产业")),
    ("L", gettext_noop("租赁和商务服务业")),
    ("M", gettext_noop("科学研究和技术服务业")),
    ("N", gettext_noop("水利、环境和公共设施管理业")),
    ("O", gettext_noop("居民服务、修理和其他服务业")),
    ("P", gettext_noop("教育")),
    ("Q", gettext_noop("卫生和社会工作")),
    ("R", gettext_noop("文化、体育和娱乐业")),
    ("S", gettext_noop("公共管理、社会保障和社会组织")),
    ("T", gettext_noop("国际组织")),
)
CODE_TABLES: dict[str, tuple[Option, ...]] = {
    "food_operator_type": FOOD_OPERATOR_TYPES,
    "food_business_item": FOOD_BUSINESS_ITEMS,
    "gbt4754_section": INDUSTRY_SECTIONS,
}

# Where a value may come from (prefill, 免填); ``licence:<type code>.<field>`` besides.
ACCOUNT_SOURCES = ("account.name", "account.id_number", "account.phone", "account.address",
                   "account.email")
LEGAL_SOURCES = ("legal.name", "legal.credit_code", "legal.legal_representative",
                 "legal.address")
LICENCE_SOURCE = re.compile(r"^licence:(?P<type>[0-9A-Z]{1,21})\.(?P<field>[a-z][a-z0-9_]{0,63})$")


def _county(code: str) -> str:
    """The name python-stdnum's table gives a 6-digit code at its county level, without
    its years; "" for an unknown or abolished code (``[1987-1993]乳山县``)."""
    info = numdb.get("cn/loc").info(code)
    county = info[1][1].get("county", "") if len(info) > 1 else ""
    years = re.match(r"^\[(\d{4})-(\d{4})?\]", county)
    if years and years.group(2):
        return ""
    return re.sub(r"^\[[^\]]*\]", "", county)


def region_name(code: str) -> str:
    """``"371002"`` → ``"山东省威海市环翠区"`` (province, city, county, written together as
    Chinese addresses are) from python-stdnum's table of 行政区划代码 (the one the
    ID-number check uses); ``""`` for an unknown code, a code no longer in use or a 市辖区
    placeholder. A municipality's districts (北京市东城区) have no city level."""
    if not REGION_RE.match(code or "") or code.endswith("00"):
        return ""
    info = numdb.get("cn/loc").info(code)
    province = info[0][1].get("province", "") if info else ""
    county = _county(code)
    if not province or not county or county == "市辖区":
        return ""
    city = _county(code[:4] + "00")
    if city in ("市辖区", "县", province) or "直辖" in city:  # 省直辖县级行政单位
        city = ""
    return f"{province}{city}{county}"


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
