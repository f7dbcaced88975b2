"""Import the Guangdong government-service catalog (广东政务服务网, JSON Lines).

One JSON object per line with the fields of the crawled ``policy.json`` (see
catalog/data/README.md). Missing values are the string "无". Every line ends up read and
then created, updated, unchanged or skipped with a reason; a bad line never stops the
import.

Idempotent: a record whose canonical elements hash to the current published version's
``content_hash`` is unchanged and writes nothing; a changed record publishes a new
version (the old one is SUPERSEDED). Records of items with an open draft (someone is
editing) or a cancelled item are skipped rather than overwritten.

Fast: records are parsed and validated in Python first, then written per batch with
bulk inserts (implementations, versions, materials, many-to-many rows, action log); only
the audit rows and events are written one per item, because the audit chain needs them
in order. Departments become identity Organisations under a government per region
(created if missing), through identity's own service.
"""

import datetime as dt
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction

from onewindow.audit.services import audit_record
from onewindow.common.ids import is_digits
from onewindow.events.services import publish
from onewindow.identity.models import Organisation
from onewindow.identity.services import organisation_create_inner
from onewindow.identity.validators import validate_region_code

from .. import events
from ..codes import (
    ExerciseLevel,
    HandlingForm,
    HandlingType,
    ImplementationStatus,
    ItemType,
    LimitUnit,
    OnlineDepth,
    Operation,
    SubjectNature,
    ThemeAudience,
    VersionStatus,
)
from ..elements import content_hash, validate_elements
from ..errors import ElementsInvalid
from ..lifecycle import SUBJECT_TYPE, SUPERSEDE, VERSION_LIFECYCLE
from ..models import (
    CatalogEntry,
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Material,
    ServiceObject,
    Theme,
)
from ..search import index_text
from ..validators import implementation_code_problem, normalize_code, split_implementation_code

BUNDLED_FILE = Path(__file__).resolve().parent.parent / "data" / "gd_zwfw_items.jsonl"
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


# --- reference data: organisations, themes, entries -------------------------------------


def _government(region_code: str, region_text: str, level: str, *, actor, now, cache,
                report) -> Organisation:
    if region_code in cache:
        return cache[region_code]
    existing = (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, region_code=region_code)
        .order_by("path").first()
    )
    if existing is None:
        province = region_code[:2] + "0000"
        parent = None
        if region_code != province:
            parent = _government(province, "", "2", actor=actor, now=now, cache=cache,
                                 report=report)
        name = REGION_GOVERNMENTS.get(region_code) or (
            (region_text.split("省")[-1] or region_text or region_code) + "人民政府"
        )
        existing = organisation_create_inner(
            actor=actor, name=name, kind=Organisation.Kind.GOVERNMENT, region_code=region_code,
            level=2 if region_code == province else 3, parent=parent, now=now,
        )
        report.organisations_created += 1
    cache[region_code] = existing
    return existing


def ensure_organisations(records: list[Parsed], *, actor, now, report) -> dict[str, Organisation]:
    """Organisation per credit code, creating departments (and their governments)."""
    codes = {r.credit_code for r in records}
    found = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    governments: dict[str, Organisation] = {}
    for record in records:
        if record.credit_code in found:
            continue
        parent = _government(record.region_code, record.region_text, record.level, actor=actor,
                             now=now, cache=governments, report=report)
        kind = (Organisation.Kind.DEPARTMENT if record.credit_code[:2] == "11"
                else Organisation.Kind.PUBLIC_SERVICE)
        found[record.credit_code] = organisation_create_inner(
            actor=actor, name=record.dept_name, kind=kind, region_code=record.region_code,
            level=int(record.level), parent=parent, credit_code=record.credit_code, now=now,
        )
        report.organisations_created += 1
    return found


def ensure_themes(records: list[Parsed], *, actor, now, report) -> dict[str, Theme]:
    names = sorted({t for r in records for t in r.elements["themes"]})
    themes = {t.name: t for t in Theme.objects.filter(name__in=names)}
    for name in names:
        if name not in themes:
            themes[name] = Theme.objects.create(name=name, audience=ThemeAudience.GENERAL)
            audit_record(actor=actor, action="catalog.theme.created",
                         subject_type="catalog.theme", subject_id=str(themes[name].pk),
                         after={"name": name}, now=now)
            report.themes_created += 1
    return themes


def ensure_entries(records: list[Parsed], *, actor, now, report) -> dict[str, CatalogEntry]:
    levels: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, dict] = {}
    for record in records:
        levels[record.entry["basic_code"]].add(record.level)
        wanted.setdefault(record.entry["basic_code"], record.entry)
    existing = {e.basic_code: e for e in CatalogEntry.objects.filter(basic_code__in=wanted)}
    new_entries = []
    for basic_code, values in wanted.items():
        found_levels = levels[basic_code]
        level = next(iter(found_levels)) if len(found_levels) == 1 else ExerciseLevel.TIERED
        entry = existing.get(basic_code)
        target = {**values, "exercise_level": level}
        if entry is None:
            new_entries.append(CatalogEntry(created_at=now, updated_at=now, **target))
            continue
        if entry.exercise_level != level:
            target["exercise_level"] = ExerciseLevel.TIERED  # implemented at several levels
        changed = {k: v for k, v in target.items() if getattr(entry, k) != v}
        if changed:
            before = {k: getattr(entry, k) for k in changed}
            for key, value in changed.items():
                setattr(entry, key, value)
            entry.updated_at = now
            entry.save()
            audit_record(actor=actor, action="catalog.entry.changed",
                         subject_type="catalog.entry", subject_id=basic_code, before=before,
                         after=changed, now=now)
            report.entries_updated += 1
    for entry in CatalogEntry.objects.bulk_create(new_entries):
        existing[entry.basic_code] = entry
        audit_record(actor=actor, action="catalog.entry.created", subject_type="catalog.entry",
                     subject_id=entry.basic_code,
                     after={"name": entry.name, "item_type": entry.item_type,
                            "exercise_level": entry.exercise_level}, now=now)
        report.entries_created += 1
    return existing


# --- writing implementations -------------------------------------------------------------


@dataclass
class _Plan:
    record: Parsed
    implementation: Implementation | None  # existing one, or None for new
    previous: tuple[int, int] | None = None  # (version pk, number) being superseded
    number: int = 1


def _plan_batch(records: list[Parsed], report: ImportReport) -> list[_Plan]:
    codes = [r.code for r in records]
    existing = {i.code: i for i in Implementation.objects.filter(code__in=codes)}
    versions: dict[int, dict[str, Any]] = defaultdict(lambda: {"max": 0, "draft": False})
    current_hash: dict[int, tuple[int, int, str]] = {}
    rows = ImplementationVersion.objects.filter(implementation__code__in=codes).values_list(
        "implementation_id", "pk", "number", "status", "content_hash")
    for impl_id, pk, number, status, hash_ in rows:
        entry = versions[impl_id]
        entry["max"] = max(entry["max"], number)
        if status == VersionStatus.DRAFT:
            entry["draft"] = True
        if status == VersionStatus.PUBLISHED:
            current_hash[impl_id] = (pk, number, hash_)
    plans = []
    for record in records:
        implementation = existing.get(record.code)
        if implementation is None:
            plans.append(_Plan(record=record, implementation=None))
            continue
        current = current_hash.get(implementation.pk)
        if current and current[2] == record.hash:
            report.unchanged += 1
            continue
        if implementation.status == ImplementationStatus.CANCELLED:
            report.skip(record.line, record.code, "事项已取消：不再导入变更")
            continue
        if versions[implementation.pk]["draft"]:
            report.skip(record.line, record.code, "存在未发布的草稿：请先发布或放弃草稿后再导入")
            continue
        plans.append(_Plan(record=record, implementation=implementation,
                           previous=(current[0], current[1]) if current else None,
                           number=versions[implementation.pk]["max"] + 1))
    return plans


def _write(plans: list[_Plan], *, organisations, entries, themes, service_objects, actor,
           now) -> tuple[int, int]:
    """Write planned creations and changes with bulk inserts (inside a transaction);
    return (created, updated)."""
    if not plans:
        return 0, 0
    new = [p for p in plans if p.implementation is None]
    created = Implementation.objects.bulk_create(
        Implementation(
            code=p.record.code, entry=entries[p.record.entry["basic_code"]],
            organisation=organisations[p.record.credit_code], level=p.record.level,
            status=ImplementationStatus.ACTIVE, in_hall=p.record.in_hall,
            not_in_hall_reason=p.record.not_in_hall_reason, created_at=now, updated_at=now,
        )
        for p in new
    )
    for plan, implementation in zip(new, created, strict=True):
        plan.implementation = implementation
    superseded = [p.previous[0] for p in plans if p.previous]
    if superseded:
        VERSION_LIFECYCLE.transition_all(
            ImplementationVersion.objects.filter(pk__in=superseded), SUPERSEDE,
            expected=len(superseded), fields={"valid_to": now})
    account = actor if getattr(actor, "pk", None) else None
    versions = ImplementationVersion.objects.bulk_create(
        _version(p, entries, now=now, account=account) for p in plans
    )
    materials, object_rows, theme_rows, actions = [], [], [], []
    through_objects = ImplementationVersion.service_objects.through
    through_themes = ImplementationVersion.themes.through
    for plan, version in zip(plans, versions, strict=True):
        elements = plan.record.elements
        materials.extend(
            Material(version=version, position=i + 1, **m)
            for i, m in enumerate(elements["materials"])
        )
        object_rows.extend(
            through_objects(implementationversion_id=version.pk,
                            serviceobject_id=service_objects[c])
            for c in elements["service_objects"]
        )
        theme_rows.extend(
            through_themes(implementationversion_id=version.pk, theme_id=themes[n].pk)
            for n in elements["themes"]
        )
        plan.implementation.current_version = version
        plan.implementation.updated_at = now
        actions.append(ImplementationAction(
            implementation=plan.implementation,
            operation=Operation.CHANGE if plan.previous else Operation.CREATE,
            from_status=plan.implementation.status, to_status=plan.implementation.status,
            version=version, reason=SOURCE_REASON, actor=account, occurred_at=now,
        ))
    Material.objects.bulk_create(materials)
    through_objects.objects.bulk_create(object_rows)
    through_themes.objects.bulk_create(theme_rows)
    Implementation.objects.bulk_update([p.implementation for p in plans],
                                       ["current_version", "updated_at"])
    ImplementationAction.objects.bulk_create(actions)
    for plan, version in zip(plans, versions, strict=True):
        operation = Operation.CHANGE if plan.previous else Operation.CREATE
        code = plan.record.code
        audit_record(
            actor=actor, action=f"catalog.item.{operation.name.lower()}",
            subject_type=SUBJECT_TYPE, subject_id=code,
            before={"version": plan.previous[1]} if plan.previous else None,
            after={"version": version.number, "content_hash": version.content_hash,
                   "reason": SOURCE_REASON},
            now=now,
        )
        publish(
            name=events.ITEM_PUBLISHED,
            payload={"code": code, "organisation_id": plan.implementation.organisation_id,
                     "version": version.number, "operation": operation,
                     "previous_version": plan.previous[1] if plan.previous else None},
            aggregate_type=SUBJECT_TYPE, aggregate_id=code, now=now,
        )
    updated = sum(1 for p in plans if p.previous)
    return len(plans) - updated, updated


def _version(plan: _Plan, entries, *, now, account) -> ImplementationVersion:
    elements = plan.record.elements
    entry = entries[plan.record.entry["basic_code"]]
    version = ImplementationVersion(
        implementation=plan.implementation, number=plan.number,
        status=VersionStatus.PUBLISHED, valid_from=now, published_at=now, created_at=now,
        created_by=account, published_by=account, change_reason=SOURCE_REASON,
        content_hash=plan.record.hash,
        search_text=index_text(elements["name"], elements["short_name"],
                               elements["daily_name"], entry.name),
    )
    for key, value in elements.items():
        if key not in ("materials", "service_objects", "themes"):
            setattr(version, key, value)
    return version


def import_records(records: list[Parsed], *, actor, now: dt.datetime, report: ImportReport,
                   batch_size: int = BATCH_SIZE) -> None:
    if not records:
        return
    with transaction.atomic(durable=True):
        organisations = ensure_organisations(records, actor=actor, now=now, report=report)
        themes = ensure_themes(records, actor=actor, now=now, report=report)
        entries = ensure_entries(records, actor=actor, now=now, report=report)
    service_objects = dict(ServiceObject.objects.values_list("code", "pk"))
    context = {"organisations": organisations, "entries": entries, "themes": themes,
               "service_objects": service_objects, "actor": actor, "now": now}
    for start in range(0, len(records), batch_size):
        batch = records[start:start + batch_size]
        with transaction.atomic(durable=True):
            plans = _plan_batch(batch, report)
            try:
                with transaction.atomic():
                    created, updated = _write(plans, **context)
            except DatabaseError:
                # Find the record the database refused; write the others one by one.
                created = updated = 0
                for plan in plans:
                    try:
                        with transaction.atomic():
                            one = _plan_batch([plan.record], ImportReport())
                            c, u = _write(one, **context)
                    except DatabaseError as exc:
                        report.skip(plan.record.line, plan.record.code,
                                    f"数据库拒绝：{str(exc)[:200]}")
                        continue
                    created, updated = created + c, updated + u
            report.created += created
            report.updated += updated

def refresh_statistics() -> None:
    """Let the query planner see the new row counts at once (a fresh PostgreSQL table is
    planned as if empty until autovacuum gets to it; SQLite keeps no statistics until
    asked)."""
    tables = [CatalogEntry, Implementation, ImplementationVersion, Material,
              ImplementationVersion.service_objects.through,
              ImplementationVersion.themes.through]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def import_gdzwfw(path: str | Path | None = None, *, actor=None, now: dt.datetime,
                  lines: Iterable[str] | None = None,
                  batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import a Guangdong JSONL file (default: the copy bundled with the catalog app)."""
    started = time.perf_counter()
    report = ImportReport()
    if lines is None:
        with open(path or BUNDLED_FILE, encoding="utf-8") as handle:
            records = read_records(handle, report)
    else:
        records = read_records(lines, report)
    import_records(records, actor=actor, now=now, report=report, batch_size=batch_size)
    if report.created + report.updated >= ANALYZE_AFTER:
        refresh_statistics()
    report.skipped.sort()
    report.seconds = time.perf_counter() - started
    return report
