"""The form definition (ADR 0031) as dataclasses, the generic form of a version without
one, and the checks a form must pass before its version is published."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onewindow.common import expressions
from onewindow.common.text import StrOrPromise

from .tables import (
    ACCOUNT_SOURCES,
    CODE_TABLES,
    DEFAULT_MAX_LENGTH,
    FIELD_TYPES,
    KEY,
    LEGAL_SOURCES,
    LICENCE_SOURCE,
    MAX_FIELDS,
    MAX_GROUP_ITEMS,
    MAX_OPTIONS,
    MAX_PAGES,
    MAX_TEXT,
    RESERVED_KEYS,
    SCHEMA_VERSION,
    Option,
    is_number,
    parse_date,
)

# --- the definition ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldDef:
    key: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    show_if: str = ""
    source: str = ""
    locked: bool = False
    min_length: int = 0
    max_length: int | None = None
    pattern: str = ""
    min: Any = None
    max: Any = None
    decimals: int = 0
    unit: str = ""
    options: tuple[Option, ...] = ()
    code_table: str = ""
    multiple: bool = False
    fields: tuple[FieldDef, ...] = ()
    min_items: int = 0
    max_items: int = 20
    material: str = ""
    label_en: str = ""
    hint_en: str = ""

    @property
    def choices(self) -> tuple[Option, ...]:
        return CODE_TABLES.get(self.code_table, ()) if self.code_table else self.options

    @property
    def text_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 200)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    hint: str = ""
    show_if: str = ""
    fields: tuple[FieldDef, ...] = ()
    title_en: str = ""
    hint_en: str = ""


@dataclass(frozen=True)
class Rule:
    key: str
    expression: str
    message: str
    fields: tuple[str, ...] = ()
    message_en: str = ""


@dataclass(frozen=True)
class FormDefinition:
    pages: tuple[Page, ...] = ()
    rules: tuple[Rule, ...] = ()
    generic: bool = False
    by_key: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)
    page_of: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for page in self.pages:
            for f in page.fields:
                self.by_key[f.key] = f
                self.page_of[f.key] = page.key

    @property
    def fields(self) -> list[FieldDef]:
        """The top-level fields in form order (group members inside their group)."""
        return [f for page in self.pages for f in page.fields]

    def page(self, key: str) -> Page | None:
        return next((p for p in self.pages if p.key == key), None)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _options(raw: Any) -> tuple[Option, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(Option(str(o.get("value", "")), _str(o.get("label")) or str(o.get("value", "")),
                        _str(o.get("label_en")))
                 for o in raw if isinstance(o, Mapping))


def _field(raw: Mapping[str, Any]) -> FieldDef:
    members = _list(raw.get("fields"))
    return FieldDef(
        key=_str(raw.get("key")), type=_str(raw.get("type")), label=_str(raw.get("label")),
        hint=_str(raw.get("hint")), required=raw.get("required") is True,
        show_if=_str(raw.get("show_if")), source=_str(raw.get("source")),
        locked=raw.get("locked") is True, min_length=_int(raw.get("min_length"), 0),
        max_length=_int(raw.get("max_length"), 0) or None, pattern=_str(raw.get("pattern")),
        min=raw.get("min"), max=raw.get("max"), decimals=_int(raw.get("decimals"), 0),
        unit=_str(raw.get("unit")), options=_options(raw.get("options")),
        code_table=_str(raw.get("code_table")), multiple=raw.get("multiple") is True,
        fields=tuple(_field(m) for m in members if isinstance(m, Mapping)),
        min_items=_int(raw.get("min_items"), 0), max_items=_int(raw.get("max_items"), 20),
        material=_str(raw.get("material")), label_en=_str(raw.get("label_en")),
        hint_en=_str(raw.get("hint_en")),
    )


def parse_definition(data: Mapping[str, Any] | None) -> FormDefinition:
    """The dataclasses of a stored form (checked at publication; unknown keys ignored)."""
    data = data if isinstance(data, Mapping) else {}
    pages = []
    for raw in data.get("pages") or []:
        if not isinstance(raw, Mapping):
            continue
        fields = _list(raw.get("fields"))
        pages.append(Page(
            key=_str(raw.get("key")), title=_str(raw.get("title")), hint=_str(raw.get("hint")),
            show_if=_str(raw.get("show_if")),
            fields=tuple(_field(f) for f in fields if isinstance(f, Mapping)),
            title_en=_str(raw.get("title_en")), hint_en=_str(raw.get("hint_en")),
        ))
    rules = tuple(
        Rule(key=_str(r.get("key")), expression=_str(r.get("expression")),
             message=_str(r.get("message")),
             fields=tuple(str(k) for k in r.get("fields") or [] if isinstance(k, str)),
             message_en=_str(r.get("message_en")))
        for r in data.get("rules") or [] if isinstance(r, Mapping)
    )
    return FormDefinition(pages=tuple(pages), rules=rules)


def generic_definition(materials: Iterable[Any]) -> FormDefinition:
    """The form of a version without one of its own (ADR 0031): the contact details stay
    in ``Case.form_data``; what is left item by item is the 申请材料 list, so one page
    names each material as an optional file reference (``material_<position>``)."""
    fields = tuple(
        FieldDef(key=f"material_{m.position}", type="file", label=m.name,
                 hint=_str(getattr(m, "note", "")), material=m.name)
        for m in materials
    )
    if not fields:
        return FormDefinition(generic=True)
    pages = (Page(key="materials", title=gettext_noop("申请材料"), fields=fields),)
    return FormDefinition(pages=pages, generic=True)


def definition_for(version) -> FormDefinition:
    """The form of ``version``: its own, or the generic one (needs its materials)."""
    if version.form:
        return parse_definition(version.form)
    return generic_definition(version.materials.all())


# --- checking a definition (at publication) ---------------------------------------------------

@dataclass(frozen=True)
class Problem:
    where: str
    message: StrOrPromise


_FIELD_KEYS = {
    "key", "type", "label", "hint", "required", "show_if", "source", "locked", "min_length",
    "max_length", "pattern", "min", "max", "decimals", "unit", "options", "code_table",
    "multiple", "fields", "min_items", "max_items", "material", "label_en", "hint_en",
}
_PAGE_KEYS = {"key", "title", "hint", "show_if", "fields", "title_en", "hint_en"}
_RULE_KEYS = {"key", "expression", "message", "fields", "message_en"}


def _check_condition(where: str, text: str, known: set[str], problems: list[Problem]) -> None:
    try:
        names = expressions.names(text)
    except expressions.ExpressionError as exc:
        problems.append(Problem(where, _("条件无效：%(reason)s") % {"reason": exc.reason}))
        return
    unknown = sorted(names - known)
    if unknown:
        problems.append(Problem(where, _("条件引用了表单中没有的字段：%(keys)s")
                                % {"keys": "、".join(unknown)}))


def _check_field(raw: Any, where: str, seen: set[str], problems: list[Problem], *,
                 in_group: bool, partial: bool = False) -> None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(where, _("字段应为对象。")))
        return
    for extra in sorted(set(raw) - _FIELD_KEYS):
        problems.append(Problem(f"{where}.{extra}", _("未知的属性。")))
    key, kind = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or not KEY.match(key) or key in RESERVED_KEYS:
        problems.append(Problem(f"{where}.key", _("字段标识应为小写字母开头的字母、数字或下划线，"
                                                  "不超过 40 个字符（不能用 codes）。")))
    elif key in seen:
        problems.append(Problem(f"{where}.key", _("字段标识“%(key)s”重复。") % {"key": key}))
    else:
        seen.add(key)
    if kind not in FIELD_TYPES:
        problems.append(Problem(f"{where}.type", _("未知的字段类型“%(type)s”。")
                                % {"type": str(kind)}))
        return
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        problems.append(Problem(f"{where}.label", _("请填写字段名称（不超过 200 个字）。")))
    for flag in ("required", "locked", "multiple"):
        if flag in raw and not isinstance(raw[flag], bool):
            problems.append(Problem(f"{where}.{flag}", _("应为 true 或 false。")))
    for text_key in ("hint", "show_if", "source", "pattern", "unit", "code_table", "material",
                     "label_en", "hint_en"):
        if text_key in raw and not isinstance(raw[text_key], str):
            problems.append(Problem(f"{where}.{text_key}", _("应为文字。")))
    for int_key, upper in (("min_length", MAX_TEXT), ("max_length", MAX_TEXT), ("decimals", 6),
                           ("min_items", MAX_GROUP_ITEMS), ("max_items", MAX_GROUP_ITEMS)):
        if int_key in raw and raw[int_key] is not None and (
                not isinstance(raw[int_key], int) or isinstance(raw[int_key], bool)
                or not 0 <= raw[int_key] <= upper):
            problems.append(Problem(f"{where}.{int_key}", _("应为 0 到 %(upper)s 之间的整数。")
                                    % {"upper": upper}))
    if (isinstance(raw.get("min_length"), int) and isinstance(raw.get("max_length"), int)
            and raw["max_length"] and raw["min_length"] > raw["max_length"]):
        problems.append(Problem(f"{where}.min_length", _("最短长度不能大于最长长度。")))
    pattern = raw.get("pattern")
    if isinstance(pattern, str) and pattern:
        if len(pattern) > 200:
            problems.append(Problem(f"{where}.pattern", _("格式规则不能超过 200 个字符。")))
        else:
            try:
                re.compile(pattern)
            except re.error:
                problems.append(Problem(f"{where}.pattern", _("格式规则不是有效的正则表达式。")))
    low, high = raw.get("min"), raw.get("max")
    if kind in ("number", "money"):
        for bound_key, bound in (("min", low), ("max", high)):
            if bound is not None and not is_number(bound):
                problems.append(Problem(f"{where}.{bound_key}", _("应为数字。")))
        if (isinstance(low, int | float) and isinstance(high, int | float)
                and is_number(low) and is_number(high) and low > high):
            problems.append(Problem(f"{where}.min", _("最小值不能大于最大值。")))
    elif kind == "date":
        for bound_key, bound in (("min", low), ("max", high)):
            if bound is not None and parse_date(bound) is None:
                problems.append(Problem(f"{where}.{bound_key}", _("应为 YYYY-MM-DD 格式的日期。")))
        low_day, high_day = parse_date(low), parse_date(high)
        if low_day and high_day and low_day > high_day:
            problems.append(Problem(f"{where}.min", _("最早日期不能晚于最晚日期。")))
    if kind == "choice":
        options, table = raw.get("options"), raw.get("code_table") or ""
        if table and table not in CODE_TABLES:
            problems.append(Problem(f"{where}.code_table", _("未知的代码表“%(table)s”。")
                                    % {"table": str(table)}))
        elif not table:
            if not isinstance(options, list) or not options or len(options) > MAX_OPTIONS:
                problems.append(Problem(f"{where}.options", _("选择题请列出选项或指定代码表。")))
            else:
                values = [o.get("value") if isinstance(o, Mapping) else None for o in options]
                if any(not isinstance(v, str) or not v or len(v) > 100 for v in values):
                    problems.append(Problem(f"{where}.options",
                                            _("每个选项应有值（文字）和名称。")))
                elif len(set(values)) != len(values):
                    problems.append(Problem(f"{where}.options", _("选项的值不能重复。")))
    if kind == "group":
        members = raw.get("fields")
        if in_group:
            problems.append(Problem(where, _("重复组中不能再嵌套重复组。")))
        elif not isinstance(members, list) or (not members and not partial):
            problems.append(Problem(f"{where}.fields", _("重复组至少要有一个字段。")))
        else:
            for index, member in enumerate(members):
                _check_field(member, f"{where}.fields.{index}", seen, problems, in_group=True)
                if isinstance(member, Mapping) and (member.get("show_if") or member.get("source")):
                    problems.append(Problem(f"{where}.fields.{index}",
                                            _("重复组中的字段不能设置显示条件或数据来源。")))
        if (isinstance(raw.get("min_items"), int) and isinstance(raw.get("max_items"), int)
                and raw["min_items"] > raw["max_items"]):
            problems.append(Problem(f"{where}.min_items", _("最少条数不能大于最多条数。")))
    source = raw.get("source") or ""
    if source and not (source in ACCOUNT_SOURCES or source in LEGAL_SOURCES
                       or LICENCE_SOURCE.match(source)):
        problems.append(Problem(f"{where}.source", _("未知的数据来源“%(source)s”。")
                                % {"source": str(source)}))
    if raw.get("locked") is True and not source:
        problems.append(Problem(f"{where}.locked", _("只有设置了数据来源的字段才能锁定。")))


def check_definition(data: Any, *, partial: bool = False) -> list[Problem]:
    """Everything wrong with a stored form (empty list: publishable). ``{}`` is fine: the
    version then uses the generic form. ``partial`` is a draft being built in the editor:
    a page or a repeating group may still be empty (publication checks in full)."""
    if data in ({}, None):
        return []
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return [Problem("form", _("表单应为对象。"))]
    for extra in sorted(set(data) - {"schema", "pages", "rules"}):
        problems.append(Problem(extra, _("未知的属性。")))
    if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
        problems.append(Problem("schema", _("不支持的表单版本。")))
    pages = data.get("pages")
    if not isinstance(pages, list) or not pages or len(pages) > MAX_PAGES:
        return [*problems, Problem("pages", _("表单应有 1 到 %(max)s 页。") % {"max": MAX_PAGES})]
    seen_fields: set[str] = set()
    seen_pages: set[str] = set()
    count = 0
    for index, page in enumerate(pages):
        where = f"pages.{index}"
        if not isinstance(page, Mapping):
            problems.append(Problem(where, _("页面应为对象。")))
            continue
        for extra in sorted(set(page) - _PAGE_KEYS):
            problems.append(Problem(f"{where}.{extra}", _("未知的属性。")))
        key = page.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(Problem(f"{where}.key",
                                    _("页面标识应为小写字母开头的字母、数字或下划线。")))
        elif key in seen_pages:
            problems.append(Problem(f"{where}.key", _("页面标识“%(key)s”重复。") % {"key": key}))
        else:
            seen_pages.add(key)
        if not isinstance(page.get("title"), str) or not page["title"].strip():
            problems.append(Problem(f"{where}.title", _("请填写页面标题。")))
        fields = page.get("fields")
        if not isinstance(fields, list) or (not fields and not partial):
            problems.append(Problem(f"{where}.fields", _("每页至少要有一个字段。")))
            continue
        for position, raw in enumerate(fields):
            count += 1 + len(raw.get("fields") or []) if isinstance(raw, Mapping) else 1
            _check_field(raw, f"{where}.fields.{position}", seen_fields, problems, in_group=False,
                         partial=partial)
    if count > MAX_FIELDS:
        problems.append(Problem("pages", _("表单字段不能超过 %(max)s 个。") % {"max": MAX_FIELDS}))
    # Conditions may read top-level fields only (group members are lists of rows).
    definition = parse_definition(data)
    top = {f.key for f in definition.fields if f.type != "group"}
    for index, page in enumerate(definition.pages):
        if page.show_if:
            _check_condition(f"pages.{index}.show_if", page.show_if, top, problems)
        for position, f in enumerate(page.fields):
            if f.show_if:
                _check_condition(f"pages.{index}.fields.{position}.show_if", f.show_if,
                                 top - {f.key}, problems)
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        problems.append(Problem("rules", _("规则应为列表。")))
        rules = []
    for index, rule in enumerate(rules):
        where = f"rules.{index}"
        if not isinstance(rule, Mapping):
            problems.append(Problem(where, _("规则应为对象。")))
            continue
        for extra in sorted(set(rule) - _RULE_KEYS):
            problems.append(Problem(f"{where}.{extra}", _("未知的属性。")))
        if not isinstance(rule.get("message"), str) or not rule["message"].strip():
            problems.append(Problem(f"{where}.message", _("请填写规则不满足时的提示。")))
        _check_condition(f"{where}.expression", _str(rule.get("expression")), top, problems)
        named = rule.get("fields") or []
        if not isinstance(named, list) or any(k not in top for k in named):
            problems.append(Problem(f"{where}.fields", _("规则只能指向表单中的字段。")))
    return problems


