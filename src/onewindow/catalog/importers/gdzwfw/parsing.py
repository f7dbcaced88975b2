"""Reading the Guangdong JSON Lines file: one record per line parsed into the
canonical elements, or skipped with a reason (see the package docstring)."""

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onewindow.common.ids import is_digits
from onewindow.identity.validators import validate_region_code

from ...codes import (
    HandlingForm,
    HandlingType,
    ItemType,
    LimitUnit,
    OnlineDepth,
    SubjectNature,
)
from ...elements import content_hash, validate_elements
from ...errors import ElementsInvalid
from ...validators import implementation_code_problem, normalize_code, split_implementation_code

BUNDLED_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "gd_zwfw_items.jsonl"
SOURCE_REASON = "导入广东政务服务网事项数据"
MISSING = "无"
BATCH_SIZE = 500
ANALYZE_AFTER = 1000  # written items after which the planner statistics are refreshed

SERVICE_OBJECT_NAMES = {
    "自然人": "1", "企业法人": "2", "事业法人": "3", "社会组织法人": "4", "行政机关": "5",
    "其他组织": "6",
    # 非法人企业 (个人独资、合伙企业…) are 非法人组织 in the Civil Code: A.4 其他组织.
    "非法人企业": "6",
}
# Themes that say nothing to someone browsing.
IGNORED_THEMES = {"其他", MISSING, ""}
UNIT_NAMES = {"工作日": LimitUnit.WORKING_DAY, "自然日": LimitUnit.NATURAL_DAY,
              "日": LimitUnit.NATURAL_DAY, "天": LimitUnit.NATURAL_DAY,
              "小时": LimitUnit.HOUR}
_LIMIT = re.compile(r"^\s*(\d+)\s*[(（]\s*(工作日|自然日|日|天|小时)\s*[)）]\s*$")
ITEM_TYPE_BY_LABEL = {lbl: code for code, lbl in ItemType.choices}
REGION_GOVERNMENTS = {"440000": "广东省人民政府", "440100": "广州市人民政府"}


class SkipRecord(Exception):
    pass


@dataclass
class Parsed:
    line: int
    code: str
    credit_code: str
    level: str
    dept_name: str
    region_code: str
    region_text: str
    entry: dict[str, Any]
    elements: dict[str, Any]
    in_hall: bool
    not_in_hall_reason: str
    hash: str = ""


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)
    organisations_created: int = 0
    entries_created: int = 0
    entries_updated: int = 0
    themes_created: int = 0
    seconds: float = 0.0

    def skip(self, line: int, code: str, reason: str) -> None:
        self.skipped.append((line, code, reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "skipped": len(self.skipped),
            "skipped_reasons": dict(Counter(_reason_kind(r) for _, _, r in self.skipped)),
            "organisations_created": self.organisations_created,
            "entries_created": self.entries_created, "entries_updated": self.entries_updated,
            "themes_created": self.themes_created, "seconds": round(self.seconds, 2),
        }

    def lines(self) -> list[str]:
        out = [
            f"读取 read {self.read}，新增 created {self.created}，更新 updated {self.updated}，"
            f"未变 unchanged {self.unchanged}，跳过 skipped {len(self.skipped)}"
            f"（{self.seconds:.1f} 秒）",
            f"新建机构 {self.organisations_created}，基本目录新增 {self.entries_created}、"
            f"更新 {self.entries_updated}，新建主题 {self.themes_created}",
        ]
        for line, code, reason in self.skipped:
            out.append(f"  跳过 第 {line} 行 {code or '-'}：{reason}")
        return out


def _reason_kind(reason: str) -> str:
    return reason.split("：", 1)[0]


# --- parsing ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "；".join(str(v) for v in value if v not in (None, MISSING))
    text = str(value).strip()
    return "" if text == MISSING else text


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip() != MISSING]
    text = _text(value)
    return [text] if text else []


def parse_limit(value: Any) -> tuple[int | None, str, str]:
    """"30(工作日)" → (30, WORKING_DAY, ""); "无" → (None, "", ""); anything else is kept as
    the note with no amount, so an odd spelling never loses the item."""
    text = _text(value)
    if not text:
        return None, "", ""
    match = _LIMIT.match(text)
    if match:
        return int(match.group(1)), UNIT_NAMES[match.group(2)], ""
    return None, "", text[:500]


def _url(value: Any) -> str:
    text = _text(value)
    return text if re.match(r"^https?://\S+$", text) and len(text) <= 500 else ""


def parse_record(obj: Any, line: int) -> Parsed:
    """One JSON object → a validated ``Parsed``, or ``SkipRecord`` with the reason."""
    if not isinstance(obj, dict):
        raise SkipRecord("格式错误：该行不是 JSON 对象")
    code = normalize_code(_text(obj.get("TASK_CODE")))
    if not code:
        raise SkipRecord("缺少实施编码：TASK_CODE 为空")
    problem = implementation_code_problem(code)
    if problem:
        raise SkipRecord(f"实施编码无效：{problem}")
    credit_code, level, basic_code, _ = split_implementation_code(code)
    cataid = normalize_code(_text(obj.get("CATAID")))
    if cataid and cataid != basic_code:
        raise SkipRecord(f"基本编码不一致：CATAID {cataid} 与实施编码中的 {basic_code} 不同")
    type_text = _text(obj.get("TASK_TYPE_TEXT")) or _text(obj.get("matter_type"))
    item_type = ITEM_TYPE_BY_LABEL.get(type_text)
    if item_type is None and _text(obj.get("TASK_TYPE")) in ItemType.values and not type_text:
        item_type = _text(obj.get("TASK_TYPE"))
    if item_type is None:
        raise SkipRecord(
            f"事项类型未知：{_text(obj.get('TASK_TYPE'))} {type_text}".rstrip()
        )
    dept_name = " ".join(_text(obj.get("DEPT_NAME")).split())
    if not dept_name:
        raise SkipRecord("缺少实施主体：DEPT_NAME 为空")
    region_code = _text(obj.get("AREACODE"))
    try:
        validate_region_code(region_code)
    except Exception as exc:
        raise SkipRecord(f"行政区划代码无效：{region_code or '空'}") from exc

    legal = parse_limit(obj.get("handle_time"))
    promised = parse_limit(obj.get("handle_time_limit"))
    if promised[0] == 0:
        handling_type = HandlingType.IMMEDIATE
    elif legal[0] is not None or promised[0] is not None:
        handling_type = HandlingType.PROMISED
    else:
        handling_type = HandlingType.OTHER
    visits_text = _text(obj.get("visit_number"))
    visits = int(visits_text) if is_digits(visits_text) else 0
    online = _text(obj.get("ONLINECHECK")) == "1"
    location = _text(obj.get("handle_location"))
    no_window = location.startswith("无线下办理窗口")
    location = re.sub(r"^办理地点[:：]\s*", "", location)
    if no_window or location == MISSING:
        location = ""
    forms = []
    if not no_window:
        forms.append(HandlingForm.WINDOW)
    if online:
        forms.append(HandlingForm.ONLINE_PC)
    if _text(obj.get("courier_service")) == "是":
        forms.append(HandlingForm.COURIER)
    if visits == 0:
        depth = OnlineDepth.FULLY_ONLINE if online else ""
    elif visits == 1:
        depth = OnlineDepth.AT_MOST_ONCE
    else:
        depth = OnlineDepth.MULTIPLE_VISITS
    service_objects = sorted({SERVICE_OBJECT_NAMES[n] for n in _list(obj.get("service_object_name"))
                              if n in SERVICE_OBJECT_NAMES})
    themes = sorted({t for t in _list(obj.get("theme_category")) if t not in IGNORED_THEMES})
    materials = [{"name": " ".join(n.split())} for n in _list(obj.get("material_intro"))
                 if n.strip()]
    organ = credit_code[:2] == "11"  # 机构编制 + 机关: a government body
    raw = {
        "name": _text(obj.get("TASK_NAME")) or _text(obj.get("matter_name")),
        "short_name": _text(obj.get("matter_short")),
        "daily_name": _text(obj.get("matter_daily")),
        "subject_nature": SubjectNature.STATUTORY if organ else SubjectNature.OTHER,
        "service_objects": service_objects,
        "themes": themes,
        "handling_forms": forms,
        "handling_type": handling_type,
        "legal_limit_amount": legal[0], "legal_limit_unit": legal[1], "legal_limit_note": legal[2],
        "promised_limit_amount": promised[0], "promised_limit_unit": promised[1],
        "promised_limit_note": promised[2],
        "visit_count": visits,
        "online_depth": depth,
        "acceptance_conditions": _text(obj.get("accept_standard")),
        "location": location,
        "consult_phone": _text(obj.get("consult_phone")),
        "complaint_phone": _text(obj.get("complain_phone")),
        "joint_departments": _text(obj.get("co_department")),
        "online_platform": _text(obj.get("bear_paltform"))[:200],
        "online_apply_url": _url(obj.get("URL")),
        "appointment_url": _url(obj.get("online_book_addr")),
        "materials": materials,
    }
    try:
        elements = validate_elements(raw)
    except ElementsInvalid as exc:
        first_key, first_message = next(iter(exc.details.items()))
        raise SkipRecord(f"要素无效：{first_key} {first_message}") from exc
    parent_code = normalize_code(_text(obj.get("parentCatalogId")))
    entry = {
        "basic_code": basic_code,
        "name": " ".join((_text(obj.get("subCatalogName")) or _text(obj.get("CATANAME"))
                          or elements["name"]).split())[:200],
        "item_type": item_type,
        "main_item_code": parent_code if parent_code != basic_code and len(parent_code) <= 12
        else "",
        "main_item_name": (_text(obj.get("parentCatalogName"))[:200]
                           if parent_code != basic_code else ""),
    }
    return Parsed(
        line=line, code=code, credit_code=credit_code, level=level, dept_name=dept_name[:200],
        region_code=region_code, region_text=_text(obj.get("AREA_CODE_TEXT")), entry=entry,
        elements=elements, in_hall=not no_window,
        not_in_hall_reason="无线下办理窗口（全程网上办理）" if no_window else "",
        hash=content_hash(elements),
    )


def read_records(lines: Iterable[str], report: ImportReport) -> list[Parsed]:
    parsed: list[Parsed] = []
    seen: set[str] = set()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        report.read += 1
        code = ""
        try:
            obj = json.loads(text)
            code = normalize_code(_text(obj.get("TASK_CODE"))) if isinstance(obj, dict) else ""
            record = parse_record(obj, number)
        except json.JSONDecodeError:
            report.skip(number, "", "格式错误：该行不是有效的 JSON")
            continue
        except SkipRecord as exc:
            report.skip(number, code, str(exc))
            continue
        except Exception as exc:
            report.skip(number, code, f"无法解析：{type(exc).__name__}: {exc}")
            continue
        if record.code in seen:
            report.skip(number, record.code, "重复记录：文件中已出现同一实施编码")
            continue
        seen.add(record.code)
        parsed.append(record)
    return parsed


