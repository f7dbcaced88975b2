"""Reading a workbook back: parse every sheet, check every row (nothing is written
while any row is wrong), then apply it all in one transaction."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from openpyxl import load_workbook

from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_digits
from onewindow.identity.models import Organisation

from ... import permissions as perms
from ...codes import (
    ImplementationStatus,
    ItemType,
    VersionStatus,
)
from ...elements import (
    VERSION_FIELDS,
    content_hash,
    validate_elements,
)
from ...errors import ElementsInvalid
from ...forms import cells, check_definition
from ...models import CatalogEntry, Implementation, ImplementationVersion
from ...services import (
    entry_upsert_inner,
    item_create_inner,
    item_draft_update_inner,
    item_publish_inner,
)
from ...validators import implementation_code_problem, normalize_code, split_implementation_code
from .. import organisations as orgs
from .form_sheets import header_of, rule_row, split_form_row
from .layout import (
    CODE,
    FORM,
    FORM_RULES,
    INFO_COLUMNS,
    ITEM_HEADERS,
    ITEMS,
    SECTION_SHEETS,
    SEQ,
    ExcelImportResult,
    RowError,
)

# --- import -----------------------------------------------------------------------------


@dataclass
class _ItemRow:
    row: int
    code: str
    raw: dict[str, Any]
    info: dict[str, Any]
    sections: dict[str, list[tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list))
    form: cells.Rows | None = None  # where the 表单 sheet is in the workbook


def _cell_text(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _read_sheet(book, title: str, result: ExcelImportResult, required: bool = True):
    """Yield (row number, {header: value}) for non-empty rows."""
    if title not in book.sheetnames:
        if required:
            result.errors.append(RowError(title, 1, "", f"缺少“{title}”工作表。"))
        return
    sheet = book[title]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        return
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        yield number, headers, {h: _cell_text(v) for h, v in zip(headers, values, strict=False)
                                if h}


def _list_cell(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [part.strip() for part in str(value).split("\n") if part.strip()]


def read_workbook(stream: IO[bytes], result: ExcelImportResult) -> list[_ItemRow]:
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        result.errors.append(RowError("", 0, "", f"无法读取 Excel 文件：{exc}"))
        return []
    result.org_rows = orgs.read_rows(
        ((number, values) for number, _headers, values in
         _read_sheet(book, orgs.ORGS, result, required=False) or []),
        lambda row, column, message: result.errors.append(
            RowError(orgs.ORGS, row, column, message)))
    items: dict[str, _ItemRow] = {}
    for number, headers, values in _read_sheet(book, ITEMS, result) or []:
        missing = [h for h in (CODE, VERSION_FIELDS["name"].label) if h not in headers]
        if missing:
            result.errors.append(RowError(ITEMS, 1, "", f"缺少列：{'、'.join(missing)}。"))
            break
        code = normalize_code(str(values.get(CODE) or ""))
        problem = implementation_code_problem(code)
        if problem:
            result.errors.append(RowError(ITEMS, number, CODE, str(problem)))
            continue
        if code in items:
            result.errors.append(RowError(ITEMS, number, CODE,
                                          f"与第 {items[code].row} 行的实施编码重复。"))
            continue
        raw = {}
        for header, key in ITEM_HEADERS.items():
            if header in values:
                spec = VERSION_FIELDS[key]
                value = values[header]
                raw[key] = _list_cell(value) if spec.kind in ("codes", "names") else value
        info = {h: values.get(h) for h in INFO_COLUMNS}
        items[code] = _ItemRow(row=number, code=code, raw=raw, info=info)
    result.read = len(items)
    # (row number, row, 序号) per item and section, put in 序号 order below.
    numbered: dict[tuple[str, str], list[tuple[int, dict[str, Any], Any]]] = defaultdict(list)
    for section, (title, fields) in SECTION_SHEETS.items():
        by_label = {spec.label: key for key, spec in fields.items()}
        seen: dict[tuple[str, Any], int] = {}
        for number, _headers, values in _read_sheet(book, title, result, required=False) or []:
            code = normalize_code(str(values.get(CODE) or ""))
            if code not in items:
                result.errors.append(RowError(title, number, CODE,
                                              "“事项”表中没有这个实施编码。"))
                continue
            seq = values.get(SEQ)
            if seq in (None, ""):
                seq = number
            elif (code, seq) in seen:
                result.errors.append(RowError(title, number, SEQ,
                                              f"与第 {seen[(code, seq)]} 行的序号重复。"))
                continue
            seen[(code, seq)] = number
            row = {key: values[lbl] for lbl, key in by_label.items() if lbl in values}
            numbered[(code, section)].append((number, row, seq))
    for code, item in items.items():
        for section in SECTION_SHEETS:
            rows = numbered[(code, section)]
            rows.sort(key=lambda r: (_seq_key(r[2]), r[0]))
            item.sections[section] = [(n, row) for n, row, _ in rows]
            item.raw[section] = [row for _, row in item.sections[section]]
    _read_forms(book, items, result)
    book.close()
    return list(items.values())


def _read_forms(book, items: dict[str, "_ItemRow"], result: ExcelImportResult) -> None:
    """Each item's form from the 表单 and 表单规则 sheets (rows are (sheet, row number)).
    A workbook without a 表单 sheet leaves every item's form as it is; with one, an item
    without rows has no form of its own."""
    if FORM not in book.sheetnames:
        return
    rows: dict[str, list] = defaultdict(list)
    rules: dict[str, list] = defaultdict(list)
    for title, target, split in ((FORM, rows, split_form_row),
                                 (FORM_RULES, rules, lambda v: (rule_row(v),))):
        for number, _headers, values in _read_sheet(book, title, result, required=False) or []:
            code = normalize_code(str(values.get(CODE) or ""))
            if code not in items:
                result.errors.append(RowError(title, number, CODE,
                                              "“事项”表中没有这个实施编码。"))
                continue
            target[code].append(((title, number), *split(values)))
    for code, item in items.items():
        assembled = cells.form_from_rows(rows[code], rules[code])
        for (title, number), attr, message in assembled.problems:
            column = "页面标识" if attr == "page" else "所属重复组"
            result.errors.append(RowError(title, number, column, message))
        item.form = assembled
        item.raw["form"] = assembled.form


def _seq_key(seq: Any) -> tuple[int, Any]:
    try:
        return (0, float(seq))
    except (TypeError, ValueError):
        return (1, str(seq))


def _locate(item: _ItemRow, key: str) -> tuple[str, int, str]:
    """Map an ElementsInvalid detail key to (sheet, row, column)."""
    parts = key.split(".")
    if parts[0] in SECTION_SHEETS and len(parts) >= 2 and is_digits(parts[1]):
        title, fields = SECTION_SHEETS[parts[0]]
        rows = item.sections.get(parts[0], [])
        index = int(parts[1])
        number = rows[index][0] if index < len(rows) else item.row
        column = fields[parts[2]].label if len(parts) > 2 and parts[2] in fields else ""
        return title, number, column
    if parts[0] == "form" and item.form is not None:
        where = ".".join(parts[1:])
        place, attr = item.form.place_of(where)
        if place is not None:
            title, number = place
            return title, number, header_of(where, attr)
        return FORM, item.row, ""
    spec = VERSION_FIELDS.get(parts[0])
    return ITEMS, item.row, spec.label if spec else parts[0]


@dataclass
class _Checked:
    item: _ItemRow
    elements: dict[str, Any]
    implementation: Implementation | None
    working_hash: str | None
    has_draft: bool


def check_rows(items: list[_ItemRow], *, actor, result: ExcelImportResult,
               planned: orgs.OrgPlan | None = None) -> list[_Checked]:
    """Check every row against the database. Each existing item is resolved here by its
    实施编码, many at once, with the importing actor's edit check (``actor=None``, the
    system, passes it) instead of one ``access_implementation`` call per row; the item
    services then lock each one and check the actor's scope again."""
    codes = [i.code for i in items]
    implementations = {
        i.code: i for i in Implementation.objects.filter(code__in=codes)
        .select_related("organisation")
    }
    working = {}
    for version in ImplementationVersion.objects.filter(
        implementation__code__in=codes,
        status__in=[VersionStatus.DRAFT, VersionStatus.PUBLISHED],
    ).values("implementation__code", "status", "content_hash", "form"):
        code = version["implementation__code"]
        if version["status"] == VersionStatus.DRAFT or code not in working:
            working[code] = (version["content_hash"], version["status"] == VersionStatus.DRAFT,
                             version["form"])
    organisations = {o.credit_code: o for o in Organisation.objects.filter(
        credit_code__in={c[:18] for c in codes})}
    entries = set(CatalogEntry.objects.filter(
        basic_code__in={split_implementation_code(c)[2] for c in codes}
    ).values_list("basic_code", flat=True))
    checked = []
    for item in items:
        implementation = implementations.get(item.code)
        if implementation is not None:
            if not perms.can_edit_item(actor=actor, implementation=implementation):
                result.errors.append(RowError(ITEMS, item.row, CODE, "没有找到该事项或无权修改。"))
                continue
            if implementation.status == ImplementationStatus.CANCELLED:
                result.errors.append(RowError(ITEMS, item.row, CODE, "该事项已取消，不能修改。"))
                continue
        else:
            credit_code, _, basic_code, _ = split_implementation_code(item.code)
            organisation = organisations.get(credit_code)
            # An organisation the 机构 sheet creates was checked for scope there.
            new_here = planned is not None and credit_code in {
                r.credit_code for r in planned.new}
            if not new_here and (organisation is None or not perms.can_on_organisation(
                actor=actor, action=perms.EDIT_ITEM, organisation=organisation
            )):
                result.errors.append(RowError(
                    ITEMS, item.row, CODE,
                    "实施编码前 18 位对应的实施主体未在系统中登记，或无权为其新增事项。"))
                continue
            if basic_code not in entries:
                if not item.info.get("基本目录名称"):
                    result.errors.append(RowError(
                        ITEMS, item.row, "基本目录名称",
                        "基本目录中没有该基本编码，请填写“基本目录名称”和“事项类型”。"))
                    continue
                if not _item_type(item.info.get("事项类型")):
                    result.errors.append(RowError(
                        ITEMS, item.row, "事项类型",
                        "事项类型无效，可选：" + "、".join(str(lbl) for _, lbl in ItemType.choices)
                        + "。"))
                    continue
        try:
            elements = validate_elements(item.raw)
        except ElementsInvalid as exc:
            for key, message in exc.details.items():
                sheet, row, column = _locate(item, key)
                result.errors.append(RowError(sheet, row, column, str(message)))
            continue
        if item.form is not None:
            problems = check_definition(item.form.form, partial=True)
            for problem in problems:
                sheet, row, column = _locate(item, f"form.{problem.where}")
                result.errors.append(RowError(sheet, row, column, str(problem.message)))
            if problems:
                continue
        hash_, has_draft, form = working.get(item.code, (None, False, {}))
        if item.form is None and form:
            elements["form"] = form  # no 表单 sheet: the item keeps its form
        checked.append(_Checked(item, elements, implementation, hash_, has_draft))
    known_themes = _known_themes({t for c in checked for t in c.elements["themes"]})
    for entry in checked:
        unknown = [t for t in entry.elements["themes"] if t not in known_themes]
        if unknown:
            result.errors.append(RowError(ITEMS, entry.item.row, VERSION_FIELDS["themes"].label,
                                          f"未知主题：{'、'.join(unknown)}。"))
    return checked


def _item_type(value: Any) -> str:
    text = str(value or "").strip()
    return next((code for code, lbl in ItemType.choices if text in (code, lbl)), "")


def _known_themes(names: set[str]) -> set[str]:
    from ...models import Theme

    return set(Theme.objects.filter(name__in=names).values_list("name", flat=True))


def excel_import(stream: IO[bytes], *, actor=None, publish: bool = False,
                 reason: str = "Excel 导入", now: dt.datetime) -> ExcelImportResult:
    """Check the whole workbook, then apply it in one transaction — or, if any row is
    wrong, write nothing and return the row errors."""
    result = ExcelImportResult()
    items = read_workbook(stream, result)
    if result.errors:
        return result
    planned = orgs.plan(result.org_rows, actor=actor, add_error=lambda row, column, message:
                        result.errors.append(RowError(orgs.ORGS, row, column, message)))
    checked = check_rows(items, actor=actor, result=result, planned=planned)
    if result.errors:
        result.errors.sort(key=lambda e: (e.sheet != orgs.ORGS, e.sheet != ITEMS, e.sheet,
                                          e.row))
        return result
    with transaction.atomic(durable=True):
        orgs.create(planned, actor=actor, now=now)
        result.organisations_created = list(planned.created)
        for entry in checked:
            try:
                with transaction.atomic():
                    _apply(entry, actor=actor, publish=publish, reason=reason, now=now,
                           result=result)
            except ApplicationError as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                if details and all(k.startswith("form.") for k in details):
                    for key, message in details.items():  # each problem at its row
                        sheet, row, column = _locate(entry.item, key)
                        result.errors.append(RowError(sheet, row, column, str(message)))
                    continue
                key = next(iter(details), "")
                sheet, row, column = _locate(entry.item, key) if key else (
                    ITEMS, entry.item.row, "")
                result.errors.append(RowError(sheet, row, column, str(exc.message)))
        if result.errors:
            # All or nothing: one refused row undoes the rows written before it.
            transaction.set_rollback(True)
            result.created, result.changed, result.published = [], [], []
            result.organisations_created = []
            result.unchanged = 0
    return result


def _apply(checked: _Checked, *, actor, publish, reason, now, result) -> None:
    code = checked.item.code
    new_hash = content_hash(checked.elements)
    if checked.implementation is None:
        credit_code, level, basic_code, handling_item = split_implementation_code(code)
        if not CatalogEntry.objects.filter(basic_code=basic_code).exists():
            entry_upsert_inner(actor=actor, basic_code=basic_code,
                               name=str(checked.item.info.get("基本目录名称") or ""),
                               item_type=_item_type(checked.item.info.get("事项类型")),
                               exercise_level=level, now=now)
        organisation = Organisation.objects.get(credit_code=credit_code)
        implementation = item_create_inner(
            actor=actor, organisation=organisation, basic_code=basic_code,
            elements=checked.elements, level=level, handling_item=handling_item, now=now)
        result.created.append(code)
        if publish:
            item_publish_inner(actor=actor, implementation=implementation, reason=reason,
                               now=now)
            result.published.append(code)
        return
    if checked.working_hash == new_hash:
        result.unchanged += 1
        return
    changes = dict(checked.elements)
    if checked.item.form is not None:
        changes["form"] = checked.item.form.form  # {} removes the item's own form
    item_draft_update_inner(actor=actor, implementation=checked.implementation,
                            changes=changes, reason=reason, now=now)
    result.changed.append(code)
    if publish:
        item_publish_inner(actor=actor, implementation=checked.implementation, reason=reason,
                           now=now)
        result.published.append(code)
