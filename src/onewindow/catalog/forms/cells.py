"""A form definition as flat cells: one row per field (with its page), one per rule.

The catalog workbook's 表单 and 表单规则 sheets and the admin's form editor both speak
these cells, so a field typed into a browser box and one typed into a spreadsheet cell
are read by the same code. A cell left empty means the attribute is not set; anything
else is set, so a definition written out and read back is the same dict (``False`` is
written 否, ``0`` is written 0). Values that are not what they should be (a word where a
number belongs) are passed on as they are for ``check_definition`` to name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from .tables import FIELD_TYPES, SCHEMA_VERSION

# The field types in words (the editor's list and the sheet's drop-down).
TYPE_LABELS: dict[str, str] = {
    "text": gettext_noop("单行文字"),
    "textarea": gettext_noop("多行文字"),
    "number": gettext_noop("数字"),
    "money": gettext_noop("金额"),
    "date": gettext_noop("日期"),
    "choice": gettext_noop("选择"),
    "boolean": gettext_noop("是/否"),
    "address": gettext_noop("地址"),
    "id_number": gettext_noop("身份证号"),
    "credit_code": gettext_noop("统一社会信用代码"),
    "phone": gettext_noop("电话"),
    "email": gettext_noop("电子邮箱"),
    "group": gettext_noop("重复组"),
    "file": gettext_noop("材料文件"),
}
assert set(TYPE_LABELS) == set(FIELD_TYPES)

YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    attr: str
    header: str
    kind: str = "text"  # text | bool | int | bound | options | type | list


# Page attributes, written on the first row of each page.
PAGE_COLUMNS = (
    Column("key", "页面标识"), Column("title", "页面标题"), Column("title_en", "页面标题（英文）"),
    Column("hint", "页面说明"), Column("hint_en", "页面说明（英文）"),
    Column("show_if", "页面显示条件"),
)
FIELD_COLUMNS = (
    Column("key", "字段标识"), Column("label", "字段名称"), Column("label_en", "字段名称（英文）"),
    Column("type", "类型", "type"), Column("required", "必填", "bool"),
    Column("hint", "填写说明"), Column("hint_en", "填写说明（英文）"),
    Column("options", "选项", "options"), Column("code_table", "代码表"),
    Column("multiple", "多选", "bool"),
    Column("min_length", "最短长度", "int"), Column("max_length", "最长长度", "int"),
    Column("pattern", "格式规则"), Column("min", "最小值", "bound"),
    Column("max", "最大值", "bound"), Column("decimals", "小数位数", "int"),
    Column("unit", "单位"), Column("show_if", "显示条件"), Column("source", "数据来源"),
    Column("locked", "锁定", "bool"), Column("group", "所属重复组"),
    Column("min_items", "最少条数", "int"), Column("max_items", "最多条数", "int"),
    Column("material", "对应材料"),
)
RULE_COLUMNS = (
    Column("key", "规则标识"), Column("expression", "条件表达式"), Column("message", "提示"),
    Column("message_en", "提示（英文）"), Column("fields", "涉及字段", "list"),
)
FIELD_BY_ATTR = {c.attr: c for c in FIELD_COLUMNS}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    text = value.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in (YES, "true", "True", "TRUE", "1"):
        return True
    if text in (NO, "false", "False", "FALSE", "0"):
        return False
    return text  # check_definition names it


def _type(value: Any) -> str:
    text = str(value).strip()
    by_label = {label: key for key, label in TYPE_LABELS.items()}
    return by_label.get(text, text)


def parse_options(text: Any) -> list[dict[str, str]]:
    """``"lost=遗失|Lost;damaged=损坏"`` → options (``;`` or a new line between them; a
    value without ``=label`` is its own label; ``|`` starts the English label)."""
    options = []
    for part in str(text).replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        value, _, label = part.partition("=")
        label, _, label_en = label.partition("|")
        option = {"value": value.strip(), "label": label.strip() or value.strip()}
        if label_en.strip():
            option["label_en"] = label_en.strip()
        options.append(option)
    return options


def options_text(options: Iterable[Mapping[str, Any]]) -> str:
    parts = []
    for o in options:
        text = f"{o.get('value', '')}={o.get('label', '')}"
        if o.get("label_en"):
            text += f"|{o['label_en']}"
        parts.append(text)
    return ";".join(parts)


def field_from_cells(cells: Mapping[str, Any]) -> dict[str, Any]:
    """One field's definition from its cells (``attr`` → cell value; ``group`` is not a
    field attribute and is left out)."""
    result: dict[str, Any] = {}
    for column in FIELD_COLUMNS:
        value = cells.get(column.attr)
        if column.attr == "group" or _empty(value):
            continue
        if column.kind == "bool":
            result[column.attr] = _bool(value)
        elif column.kind == "int":
            result[column.attr] = _number(value)
        elif column.kind == "bound":
            if isinstance(value, dt.datetime | dt.date):
                value = value.strftime("%Y-%m-%d")
            is_date = _type(cells.get("type") or "") == "date"
            result[column.attr] = str(value).strip()[:10] if is_date else _number(value)
        elif column.kind == "options":
            result[column.attr] = parse_options(value)
        elif column.kind == "type":
            result[column.attr] = _type(value)
        else:
            result[column.attr] = str(value).strip() if column.attr in (
                "key", "type", "code_table", "source", "group") else str(value)
    return result


def field_cells(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The cells of one field (members of a group are rows of their own)."""
    cells: dict[str, Any] = {}
    for column in FIELD_COLUMNS:
        if column.attr not in definition or column.attr == "group":
            continue
        value = definition[column.attr]
        if column.kind == "bool":
            cells[column.attr] = YES if value is True else (NO if value is False else value)
        elif column.kind == "options":
            cells[column.attr] = options_text(value or [])
        elif column.kind == "type":
            cells[column.attr] = TYPE_LABELS.get(value, value)
        else:
            cells[column.attr] = value
    return cells


def page_cells(page: Mapping[str, Any]) -> dict[str, Any]:
    return {c.attr: page[c.attr] for c in PAGE_COLUMNS if c.attr in page}


def rule_cells(rule: Mapping[str, Any]) -> dict[str, Any]:
    cells = {c.attr: rule[c.attr] for c in RULE_COLUMNS if c.attr in rule}
    if "fields" in cells:
        cells["fields"] = "\n".join(str(k) for k in cells["fields"])
    return cells


def rule_from_cells(cells: Mapping[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    for column in RULE_COLUMNS:
        value = cells.get(column.attr)
        if _empty(value):
            continue
        if column.kind == "list":
            rule[column.attr] = [p.strip() for p in str(value).replace(";", "\n").split("\n")
                                 if p.strip()]
        else:
            rule[column.attr] = str(value).strip() if column.attr == "key" else str(value)
    return rule


# --- a whole form as rows ---------------------------------------------------------------------

@dataclass
class Rows:
    """A form assembled from rows, with where each part came from (for messages)."""

    form: dict[str, Any]
    places: dict[str, Any] = field(default_factory=dict)  # "pages.0.fields.1" → row id
    problems: list[tuple[Any, str, str]] = field(default_factory=list)  # (row, attr, message)

    def place_of(self, where: str) -> tuple[Any, str]:
        """The row and the attribute of a ``check_definition`` place."""
        parts = where.split(".")
        for size in range(len(parts), 0, -1):
            head = ".".join(parts[:size])
            if head in self.places:
                rest = parts[size:]
                return self.places[head], rest[0] if rest else ""
        return None, parts[-1] if parts else ""


def form_rows(form: Mapping[str, Any]) -> tuple[list[tuple[dict, dict]], list[dict]]:
    """``([(page cells or {}, field cells or {}), …], [rule cells, …])``: one row per field
    in form order (members after their group, naming it), the page's cells on its first
    row; a page without fields is a row of its own."""
    rows: list[tuple[dict, dict]] = []
    for page in form.get("pages") or []:
        first = page_cells(page)
        fields = page.get("fields") or []
        if not fields:
            rows.append((first, {}))
            continue
        for f in fields:
            rows.append((first, field_cells(f)))
            first = {"key": page.get("key", "")}
            for member in f.get("fields") or []:
                rows.append((first, {**field_cells(member), "group": f.get("key", "")}))
    return rows, [rule_cells(r) for r in form.get("rules") or []]


def form_from_rows(rows: Iterable[tuple[Any, Mapping[str, Any], Mapping[str, Any]]],
                   rules: Iterable[tuple[Any, Mapping[str, Any]]]) -> Rows:
    """A form from ``(row id, page cells, field cells)`` and ``(row id, rule cells)``: a
    page starts at its first row (later rows of the page name only its key), a member
    names its group (a group field earlier on the same page). No rows: ``{}``."""
    result = Rows(form={})
    pages: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for row, page_raw, field_raw in rows:
        page_key = str(page_raw.get("key") or "").strip()
        if not page_key:
            result.problems.append((row, "page", "请填写页面标识。"))
            continue
        found_page = by_key.get(page_key)
        if found_page is None:
            page: dict[str, Any] = {"key": page_key}
            for column in PAGE_COLUMNS[1:]:
                value = page_raw.get(column.attr)
                if not _empty(value):
                    page[column.attr] = str(value).strip() if column.attr == "show_if" \
                        else str(value)
            page["fields"] = []
            by_key[page_key] = page
            result.places[f"pages.{len(pages)}"] = row
            pages.append(page)
        else:
            page = found_page
        index = pages.index(page)
        if all(_empty(v) for v in field_raw.values()):
            continue
        definition = field_from_cells(field_raw)
        if definition.get("type") == "group":
            definition.setdefault("fields", [])
        group_key = str(field_raw.get("group") or "").strip()
        if group_key:
            found = groups.get((page_key, group_key))
            if found is None:
                result.problems.append((row, "group", f"本页前面没有标识为“{group_key}”的重复组。"))
                continue
            group, where = found
            members = group.setdefault("fields", [])
            result.places[f"{where}.fields.{len(members)}"] = row
            members.append(definition)
            continue
        where = f"pages.{index}.fields.{len(page['fields'])}"
        result.places[where] = row
        page["fields"].append(definition)
        if definition.get("type") == "group":
            groups[(page_key, str(definition.get("key", "")))] = (definition, where)
    rule_list = []
    for row, cells in rules:
        if all(_empty(v) for v in cells.values()):
            continue
        result.places[f"rules.{len(rule_list)}"] = row
        rule_list.append(rule_from_cells(cells))
    if pages or rule_list:
        result.form = {"schema": SCHEMA_VERSION, "pages": pages}
        if rule_list:
            result.form["rules"] = rule_list
    return result
