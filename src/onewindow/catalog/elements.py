"""The elements (要素) of an implementation version as one plain, canonical dict.

Services, the importers and the Excel round trip all speak this dict, so one function
validates it (with Chinese messages keyed by field) and one function hashes it. The
canonical form sorts what has no order (service objects, themes, handling forms), keeps
the order of what has one (materials, fees, special procedures) and uses "" / None /
False for "not given", so the same content always has the same hash.

Shape::

    {"name": str, ..., "service_objects": ["1", "2"], "themes": ["教育科研"],
     "handling_forms": ["1", "2"], "legal_limit_amount": 20 | None, ...,
     "special_procedures": [{"kind", "name", "limit_amount", "limit_unit", "basis"}],
     "fees": [{"name", "amount", "basis"}],
     "materials": [{"name", "requirement", "condition", "original_count", ...}]}
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext

from onewindow.common.text import StrOrPromise

from .codes import (
    CrossRegionScope,
    HandlingForm,
    HandlingType,
    LimitUnit,
    MaterialMedium,
    MaterialRequirement,
    MaterialSource,
    OnlineDepth,
    ResultKind,
    ServiceObjectCode,
    SpecialProcedureKind,
    SubjectNature,
)
from .errors import ElementsInvalid
from .material_files import BY_ELEMENT as FILE_ELEMENTS
from .material_files import KINDS as FILE_KINDS


@dataclass(frozen=True)
class Field:
    kind: str  # str | text | choice | int | bool | codes
    label: str
    max_length: int | None = None
    required: bool = False
    choices: type | None = None
    default: Any = ""


# Scalar and list elements stored on ImplementationVersion (same names as the columns).
VERSION_FIELDS: dict[str, Field] = {
    "name": Field("str", gettext_noop("事项名称"), 200, required=True),
    "short_name": Field("str", gettext_noop("简称"), 100),
    "daily_name": Field("str", gettext_noop("常用名称"), 200),
    "subject_nature": Field("choice", gettext_noop("实施主体性质"), choices=SubjectNature,
                            default=SubjectNature.STATUTORY.value),
    "service_objects": Field("codes", gettext_noop("服务对象"), choices=ServiceObjectCode,
                             default=()),
    "themes": Field("names", gettext_noop("主题"), default=()),
    "handling_forms": Field("codes", gettext_noop("办理形式"), choices=HandlingForm, default=()),
    "handling_type": Field("choice", gettext_noop("办件类型"), choices=HandlingType,
                           default=HandlingType.PROMISED.value),
    "legal_limit_amount": Field("int", gettext_noop("法定办结时限"), default=None),
    "legal_limit_unit": Field("choice", gettext_noop("法定时限单位"), choices=LimitUnit,
                              default=""),
    "legal_limit_note": Field("str", gettext_noop("法定时限说明"), 500),
    "promised_limit_amount": Field("int", gettext_noop("承诺办结时限"), default=None),
    "promised_limit_unit": Field("choice", gettext_noop("承诺时限单位"), choices=LimitUnit,
                                 default=""),
    "promised_limit_note": Field("str", gettext_noop("承诺时限说明"), 500),
    "visit_count": Field("int", gettext_noop("到办事现场次数"), default=0),
    "online_depth": Field("choice", gettext_noop("网办深度"), choices=OnlineDepth, default=""),
    "cross_region_scope": Field("choice", gettext_noop("通办范围"), choices=CrossRegionScope,
                                default=CrossRegionScope.NONE.value),
    "acceptance_conditions": Field("text", gettext_noop("受理条件")),
    "process_description": Field("text", gettext_noop("办理流程")),
    "fee_charged": Field("bool", gettext_noop("是否收费"), default=False),
    "result_name": Field("str", gettext_noop("审批结果名称"), 200),
    "result_kind": Field("choice", gettext_noop("审批结果类型"), choices=ResultKind, default=""),
    "result_licence_type": Field("str", gettext_noop("结果证照类型代码"), 64),
    "location": Field("text", gettext_noop("办理地点")),
    "office_hours": Field("text", gettext_noop("办理时间")),
    "consult_phone": Field("str", gettext_noop("咨询电话"), 500),
    "complaint_phone": Field("str", gettext_noop("监督投诉电话"), 500),
    "joint_departments": Field("text", gettext_noop("联办机构")),
    "intermediary_services": Field("text", gettext_noop("中介服务")),
    "quantity_limit": Field("text", gettext_noop("数量限制")),
    "commitment_allowed": Field("bool", gettext_noop("可告知承诺"), default=False),
    "online_platform": Field("str", gettext_noop("网上办理平台"), 200),
    "online_apply_url": Field("str", gettext_noop("网上办理地址"), 500),
    "appointment_url": Field("str", gettext_noop("网上预约地址"), 500),
    "implementation_basis": Field("text", gettext_noop("实施依据")),
}

# Elements stored as many-to-many rows; every other element is a column of the version.
M2M_FIELDS = ("service_objects", "themes")
SCALAR_FIELDS = [name for name in VERSION_FIELDS if name not in M2M_FIELDS]

SPECIAL_PROCEDURE_FIELDS: dict[str, Field] = {
    "kind": Field("choice", gettext_noop("特别程序种类"), choices=SpecialProcedureKind,
                  required=True, default=SpecialProcedureKind.OTHER.value),
    "name": Field("str", gettext_noop("特别程序名称"), 200, required=True),
    "limit_amount": Field("int", gettext_noop("特别程序时限"), default=None),
    "limit_unit": Field("choice", gettext_noop("特别程序时限单位"), choices=LimitUnit, default=""),
    "basis": Field("text", gettext_noop("特别程序依据")),
}

FEE_FIELDS: dict[str, Field] = {
    "name": Field("str", gettext_noop("收费项目名称"), 200, required=True),
    "amount": Field("decimal", gettext_noop("收费标准（元）"), default=""),
    "basis": Field("text", gettext_noop("收费依据")),
}

MATERIAL_FIELDS: dict[str, Field] = {
    "name": Field("str", gettext_noop("材料名称"), 300, required=True),
    "requirement": Field("choice", gettext_noop("材料必要性"), choices=MaterialRequirement,
                         default=MaterialRequirement.REQUIRED.value),
    "condition": Field("text", gettext_noop("提交条件")),
    "original_count": Field("int", gettext_noop("原件份数"), default=1),
    "copy_count": Field("int", gettext_noop("复印件份数"), default=0),
    "medium": Field("choice", gettext_noop("材料形式"), choices=MaterialMedium,
                    default=MaterialMedium.PAPER.value),
    "source": Field("choice", gettext_noop("来源渠道"), choices=MaterialSource,
                    default=MaterialSource.APPLICANT.value),
    "issuing_agency": Field("str", gettext_noop("出具单位"), 200),
    "tolerance_allowed": Field("bool", gettext_noop("可容缺"), default=False),
    "tolerance_supply_days": Field("int", gettext_noop("容缺补交期限（工作日）"), default=None),
    "commitment_allowed": Field("bool", gettext_noop("可承诺替代"), default=False),
    "licence_type_code": Field("str", gettext_noop("可替代证照类型代码"), 64),
    "note": Field("text", gettext_noop("填报说明")),
    # The files (blank form, sample): their storage names, see catalog.material_files.
    **{kind.element: Field("str", kind.label, 255) for kind in FILE_KINDS},
}

LIST_SECTIONS = {
    "special_procedures": SPECIAL_PROCEDURE_FIELDS,
    "fees": FEE_FIELDS,
    "materials": MATERIAL_FIELDS,
}

MAX_INT = 1_000_000
# The longest 容缺 period a catalog may promise (models.Material's constraint checks it too).
MAX_TOLERANCE_SUPPLY_DAYS = 60
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BOOL_TRUE = {"1", "true", "yes", "y", "是", "on", "√"}
_BOOL_FALSE = {"0", "false", "no", "n", "否", "off", "", "none"}


def clean_text(value: Any) -> str:
    """Strip, unify line ends and drop control characters (Excel cannot hold them)."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _choice_value(choices, value: Any) -> str | None:
    """Accept the code or its Chinese label; None when neither matches."""
    text = clean_text(value)
    if text in choices.values:
        return text
    for code, label in choices.choices:
        if text == label:
            return code
    return None


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, StrOrPromise] = {}

    def add(self, key: str, message: StrOrPromise) -> None:
        self.errors.setdefault(key, message)


def _clean_value(key: str, spec: Field, value: Any, errors: _Collector) -> Any:
    if spec.kind in ("str", "text"):
        text = clean_text(value)
        if spec.kind == "str":
            text = " ".join(text.split())
        if spec.required and not text:
            errors.add(key, gettext_lazy("请填写%(label)s。") % {"label": gettext(spec.label)})
        elif spec.max_length and len(text) > spec.max_length:
            errors.add(
                key,
                gettext_lazy(
                    "%(label)s不能超过 %(max_length)s 个字（当前 %(count)s 个）。"
                )
                % {
                    "label": gettext(spec.label),
                    "max_length": spec.max_length,
                    "count": len(text),
                },
            )
        return text
    if spec.kind == "choice":
        text = clean_text(value)
        if not text:
            if spec.required:
                errors.add(key, gettext_lazy("请选择%(label)s。") % {"label": gettext(spec.label)})
            return spec.default if spec.required else ""
        code = _choice_value(spec.choices, text)
        if code is None:
            errors.add(
                key,
                gettext_lazy("%(label)s“%(text)s”无效，可选：%(options)s。")
                % {"label": gettext(spec.label), "text": text, "options": _options(spec.choices)},
            )
            return text
        return code
    if spec.kind == "int":
        if value is None or (isinstance(value, str) and not value.strip()):
            return spec.default
        if isinstance(value, bool):
            errors.add(key, gettext_lazy("%(label)s应为整数。") % {"label": gettext(spec.label)})
            return spec.default
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            text = clean_text(value)
            if not re.fullmatch(r"-?\d+", text):
                errors.add(
                    key,
                    gettext_lazy("%(label)s应为整数，“%(text)s”不是整数。")
                    % {"label": gettext(spec.label), "text": text},
                )
                return spec.default
            number = int(text)
        if number < 0 or number > MAX_INT:
            errors.add(
                key,
                gettext_lazy("%(label)s应在 0 到 %(max_int)s 之间。")
                % {"label": gettext(spec.label), "max_int": MAX_INT},
            )
        return number
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        text = clean_text(value).lower()
        if text in _BOOL_TRUE:
            return True
        if text in _BOOL_FALSE:
            return False
        errors.add(key, gettext_lazy("%(label)s应填“是”或“否”。") % {"label": gettext(spec.label)})
        return False
    if spec.kind == "decimal":
        text = clean_text(value)
        if not text:
            return ""
        try:
            amount = Decimal(text)
        except InvalidOperation:
            errors.add(
                key,
                gettext_lazy("%(label)s应为金额数字，如 20 或 12.50。")
                % {"label": gettext(spec.label)},
            )
            return text
        exponent = amount.as_tuple().exponent  # "n", "N" or "F" when not finite
        if not isinstance(exponent, int) or amount < 0 or exponent < -2:
            errors.add(
                key,
                gettext_lazy("%(label)s应为不小于 0 的金额，最多两位小数。")
                % {"label": gettext(spec.label)},
            )
            return text
        # One spelling per amount: 20, 20.0 and 20.00 hash the same.
        return format(amount.quantize(Decimal("0.01")), "f")
    if spec.kind in ("codes", "names"):
        items = _as_list(value)
        result = []
        for item in items:
            text = clean_text(item)
            if not text:
                continue
            if spec.kind == "codes":
                code = _choice_value(spec.choices, text)
                if code is None:
                    errors.add(
                        key,
                        gettext_lazy("%(label)s“%(text)s”无效，可选：%(options)s。")
                        % {
                            "label": gettext(spec.label),
                            "text": text,
                            "options": _options(spec.choices),
                        },
                    )
                    continue
                text = code
            result.append(text)
        return sorted(set(result))
    raise AssertionError(spec.kind)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\n;；]", value)]
    return list(value)


def _options(choices) -> str:
    """The choices' labels (code tables, marked gettext_noop) in the reader's language."""
    return pgettext("list separator", "、").join(gettext(label) for _, label in choices.choices)


def _check_limits(prefix: str, label: StrOrPromise, data: dict, errors: _Collector) -> None:
    amount, unit = data.get(f"{prefix}_amount"), data.get(f"{prefix}_unit")
    if amount is not None and not unit:
        errors.add(
            f"{prefix}_unit",
            gettext_lazy("请选择%(label)s的单位（工作日、自然日或小时）。") % {"label": label},
        )
    if amount is None and unit:
        errors.add(
            f"{prefix}_amount",
            gettext_lazy("选择了%(label)s单位，请填写%(label)s。") % {"label": label},
        )


def validate_elements(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return the canonical elements dict or raise ``ElementsInvalid`` (nothing partial)."""
    errors = _Collector()
    unknown = set(raw) - set(VERSION_FIELDS) - set(LIST_SECTIONS) - {"form"}
    for key in sorted(unknown):
        errors.add(key, gettext_lazy("未知的字段。"))
    data: dict[str, Any] = {}
    # The structured form (ADR 0031) is an element only where a version has one, so the
    # Excel sheets and the Guangdong import, which do not carry it, keep their hashes; its
    # content is checked when the version is published (catalog.forms.check_definition).
    form = raw.get("form")
    if form not in (None, {}):
        if not isinstance(form, Mapping):
            errors.add("form", gettext_lazy("申请表单应为对象。"))
        else:
            data["form"] = form
    for key, spec in VERSION_FIELDS.items():
        value = raw.get(key, spec.default)
        data[key] = _clean_value(key, spec, value, errors)
    for section, fields in LIST_SECTIONS.items():
        rows = raw.get(section) or []
        if not isinstance(rows, list | tuple):
            errors.add(section, gettext_lazy("应为列表。"))
            rows = []
        cleaned_rows = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                errors.add(f"{section}.{index}", gettext_lazy("应为对象。"))
                continue
            for key in sorted(set(row) - set(fields)):
                errors.add(f"{section}.{index}.{key}", gettext_lazy("未知的字段。"))
            cleaned = {
                key: _clean_value(f"{section}.{index}.{key}", spec, row.get(key, spec.default),
                                  errors)
                for key, spec in fields.items()
            }
            cleaned_rows.append(cleaned)
        data[section] = cleaned_rows

    _check_rules(data, errors)
    if errors.errors:
        first = next(iter(errors.errors.values()))
        raise ElementsInvalid(
            gettext_lazy("事项要素有误：%(first)s") % {"first": first}, details=errors.errors
        )
    return data


def _check_rules(data: dict, errors: _Collector) -> None:
    _check_limits("legal_limit", gettext_lazy("法定办结时限"), data, errors)
    _check_limits("promised_limit", gettext_lazy("承诺办结时限"), data, errors)
    legal, promised = data["legal_limit_amount"], data["promised_limit_amount"]
    legal_unit, promised_unit = data["legal_limit_unit"], data["promised_limit_unit"]
    if legal is not None and promised is not None:
        comparable = promised_unit == legal_unit or (
            # n working days always span at least n natural days.
            promised_unit == LimitUnit.WORKING_DAY and legal_unit == LimitUnit.NATURAL_DAY
        )
        if comparable and promised > legal:
            errors.add("promised_limit_amount", gettext_lazy("承诺办结时限不能超过法定办结时限。"))
    if not data["service_objects"] and "service_objects" not in errors.errors:
        errors.add("service_objects", gettext_lazy("请至少选择一个服务对象。"))
    depth, visits = data["online_depth"], data["visit_count"]
    if isinstance(visits, int):
        if depth == OnlineDepth.FULLY_ONLINE and visits != 0:
            errors.add("visit_count", gettext_lazy("全程网办事项的到办事现场次数应为 0。"))
        if depth == OnlineDepth.AT_MOST_ONCE and visits > 1:
            errors.add("visit_count", gettext_lazy("“最多跑一次”事项的到办事现场次数不能超过 1。"))
        if depth == OnlineDepth.MULTIPLE_VISITS and visits < 2:
            errors.add("visit_count", gettext_lazy("“需多次到场”事项的到办事现场次数应不少于 2。"))
    for key in ("online_apply_url", "appointment_url"):
        url = data[key]
        if url and not re.match(r"^https?://\S+$", url):
            errors.add(
                key,
                gettext_lazy("%(label)s应以 http:// 或 https:// 开头。")
                % {"label": gettext(VERSION_FIELDS[key].label)},
            )
    if data["fee_charged"] and not data["fees"]:
        errors.add("fees", gettext_lazy("收费事项请至少填写一个收费项目。"))
    if not data["fee_charged"] and data["fees"]:
        errors.add("fee_charged", gettext_lazy("填写了收费项目，请将“是否收费”选为“是”。"))
    for index, row in enumerate(data["special_procedures"]):
        amount, unit = row["limit_amount"], row["limit_unit"]
        if amount is not None and not unit:
            errors.add(
                f"special_procedures.{index}.limit_unit", gettext_lazy("请选择特别程序时限的单位。")
            )
        if amount is None and unit:
            errors.add(
                f"special_procedures.{index}.limit_amount", gettext_lazy("请填写特别程序时限。")
            )
    for index, row in enumerate(data["materials"]):
        key = f"materials.{index}"
        if row["requirement"] == MaterialRequirement.CONDITIONAL and not row["condition"]:
            errors.add(f"{key}.condition", gettext_lazy("视情况提交的材料请写明提交条件。"))
        if (
            row["medium"] != MaterialMedium.ELECTRONIC
            and row["original_count"] == 0 and row["copy_count"] == 0
        ):
            errors.add(
                f"{key}.original_count", gettext_lazy("纸质材料的原件和复印件份数不能都为 0。")
            )
        if row["source"] == MaterialSource.AGENCY and not row["issuing_agency"]:
            errors.add(f"{key}.issuing_agency", gettext_lazy("政府部门核发的材料请填写出具单位。"))
        days = row["tolerance_supply_days"]
        if days is not None and not row["tolerance_allowed"]:
            errors.add(
                f"{key}.tolerance_supply_days", gettext_lazy("只有可容缺的材料才设补交期限。")
            )
        elif days is not None and not 1 <= days <= MAX_TOLERANCE_SUPPLY_DAYS:
            errors.add(
                f"{key}.tolerance_supply_days",
                gettext_lazy("容缺补交期限应在 1 到 %(max_tolerance_supply_days)s 个工作日之间。")
                % {"max_tolerance_supply_days": MAX_TOLERANCE_SUPPLY_DAYS},
            )
        # A file element names a stored file; only the catalog's own folders may be
        # named, or a crafted form could publish any stored file (a case's material).
        for kind in FILE_KINDS:
            value = row.get(kind.element) or ""
            if value and (not value.startswith(kind.folder) or ".." in value or "\\" in value):
                errors.add(
                    f"{key}.{kind.element}",
                    gettext_lazy("%(label)s应为上传的文件。") % {"label": gettext(kind.label)},
                )


# Elements added after versions were stored: hashed only when they hold a value, so the
# content of every existing version keeps its hash (and re-importing it changes nothing).
LATER_ELEMENTS = ("implementation_basis", "form")


def content_hash(elements: Mapping[str, Any]) -> str:
    """sha256 of the canonical elements; equal content ⇔ equal hash."""
    elements = {k: v for k, v in elements.items() if k not in LATER_ELEMENTS or v}
    raw = json.dumps(elements, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def empty_elements() -> dict[str, Any]:
    data = {key: (list(spec.default) if spec.kind in ("codes", "names") else spec.default)
            for key, spec in VERSION_FIELDS.items()}
    data.update({section: [] for section in LIST_SECTIONS})
    return data


def elements_of(version) -> dict[str, Any]:
    """The canonical elements of a stored version (prefetch service_objects, themes and
    materials to keep this free of queries)."""
    data: dict[str, Any] = {}
    for key in VERSION_FIELDS:
        if key == "service_objects":
            data[key] = sorted(obj.code for obj in version.service_objects.all())
        elif key == "themes":
            data[key] = sorted(theme.name for theme in version.themes.all())
        elif key == "handling_forms":
            data[key] = sorted(version.handling_forms or [])
        else:
            data[key] = getattr(version, key)
    data["special_procedures"] = [
        {k: row.get(k, spec.default) for k, spec in SPECIAL_PROCEDURE_FIELDS.items()}
        for row in version.special_procedures or []
    ]
    data["fees"] = [
        {k: row.get(k, spec.default) for k, spec in FEE_FIELDS.items()}
        for row in version.fees or []
    ]
    data["materials"] = [material_elements(m) for m in version.materials.all()]
    if version.form:
        data["form"] = version.form
    return data


def material_elements(material) -> dict[str, Any]:
    data = {}
    for key in MATERIAL_FIELDS:
        value = getattr(material, key)
        if key in FILE_ELEMENTS:
            value = value.name if value else ""
        data[key] = value
    return data
