"""The catalog as an Excel workbook that people edit, and back.

Layout (one header row per sheet, Chinese column names, choices as their Chinese labels
with drop-down lists, lists one value per line inside a cell, 是/否 for yes/no):

- 机构      the implementing organisations and the governments above them, read first:
            rows that are not yet registered are created (see importers.organisations)
- 事项      one row per implementation: its elements (grey columns are for reading only:
            实施主体, 基本目录名称, 事项类型, 行使层级, 状态, 版本, 进驻大厅, 不进驻理由)
- 材料      one row per material: 实施编码 + 序号 + the material's elements
- 收费      one row per fee item;  特别程序  one row per special procedure
- 说明      how to fill it in

Import is all or nothing: every row is checked first and each problem is reported with
its sheet, row number and column; if there is any, nothing is written. Otherwise changed
items get a draft (or a new published version with ``publish=True``), new codes become
new items, and unchanged rows write nothing — so exporting and importing again changes
nothing. The content exported is the working copy: the open draft if there is one, else
the published version.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_digits
from onewindow.identity.models import Organisation

from .. import permissions as perms
from ..codes import (
    ExerciseLevel,
    ImplementationStatus,
    ItemType,
    VersionStatus,
    label,
)
from ..elements import (
    FEE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_PROCEDURE_FIELDS,
    VERSION_FIELDS,
    content_hash,
    elements_of,
    validate_elements,
)
from ..errors import ElementsInvalid
from ..models import CatalogEntry, Implementation, ImplementationVersion, Material
from ..services import (
    entry_upsert_inner,
    item_create_inner,
    item_draft_update_inner,
    publish_draft,
)
from ..validators import implementation_code_problem, normalize_code, split_implementation_code
from . import organisations as orgs

ITEMS, MATERIALS, FEES, PROCEDURES, README = "事项", "材料", "收费", "特别程序", "说明"
CODE = "实施编码"
SEQ = "序号"

# Read-only columns of the items sheet: (header, how to compute it from an implementation).
INFO_COLUMNS = ["实施主体", "基本编码", "基本目录名称", "事项类型", "行使层级", "状态", "版本",
                "进驻大厅", "不进驻理由"]
ITEM_FIELDS = {key: spec for key, spec in VERSION_FIELDS.items()}
ITEM_HEADERS = {spec.label: key for key, spec in ITEM_FIELDS.items()}
SECTION_SHEETS = {
    "materials": (MATERIALS, MATERIAL_FIELDS),
    "fees": (FEES, FEE_FIELDS),
    "special_procedures": (PROCEDURES, SPECIAL_PROCEDURE_FIELDS),
}
_GREY = PatternFill("solid", fgColor="DDDDDD")
_BLUE = PatternFill("solid", fgColor="DDEBF7")


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"“{self.sheet}”表第 {self.row} 行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


@dataclass
class ExcelImportResult:
    read: int = 0
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    org_rows: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "created": len(self.created), "changed": len(self.changed),
                "organisations_created": len(self.organisations_created),
                "published": len(self.published), "unchanged": self.unchanged,
                "errors": [str(e) for e in self.errors]}

    def lines(self) -> list[str]:
        out = [f"读取 {self.read} 个事项：新增 {len(self.created)}，"
               f"变更 {len(self.changed)}（其中发布 {len(self.published)}），"
               f"未变 {self.unchanged}，错误 {len(self.errors)}"]
        if self.organisations_created:
            out.append(f"新建机构 {len(self.organisations_created)}："
                       + "、".join(self.organisations_created))
        out += [f"  {e}" for e in self.errors]
        if self.errors:
            out.append("有错误，未写入任何内容。")
        return out


# --- export -----------------------------------------------------------------------------


def _cell_value(spec, value) -> Any:
    if spec.kind == "bool":
        return "是" if value else "否"
    if spec.kind == "choice":
        return label(spec.choices, value) if value else None
    if spec.kind == "codes":
        return "\n".join(label(spec.choices, v) for v in value) or None
    if spec.kind == "names":
        return "\n".join(value) or None
    if spec.kind == "int":
        return value
    return value if value not in ("", None) else None


def _write_row(sheet, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            # A leading "=" must stay text, never become a formula.
            cell.data_type = "s"
            if "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _header(sheet, headers: list[str], info: Iterable[str] = ()) -> None:
    info = set(info)
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=text)
        cell.font = Font(bold=True)
        cell.fill = _GREY if text in info else _BLUE
        width = 14 if len(text) <= 6 else 24
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B2"


def _validations(sheet, headers: list[str], specs: dict, max_row: int) -> None:
    for column, text in enumerate(headers, start=1):
        key = specs.get(text)
        if key is None:
            continue
        spec = key
        if spec.kind == "bool":
            options = ["是", "否"]
        elif spec.kind == "choice":
            options = [lbl for _, lbl in spec.choices.choices]
        else:
            continue
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                    allow_blank=True)
        validation.error = "请从下拉列表中选择。"
        letter = get_column_letter(column)
        validation.add(f"{letter}2:{letter}{max(max_row, 2) + 200}")
        sheet.add_data_validation(validation)


def working_versions(*, actor=None, organisation: Organisation | None = None):
    """(implementation, version) pairs to export: the draft if open, else the published."""
    implementations = (
        Implementation.objects.filter(perms.implementations_q(actor=actor,
                                                              action=perms.EDIT_ITEM))
        .select_related("organisation", "entry").order_by("code")
    )
    if organisation is not None:
        implementations = implementations.filter(organisation__path__startswith=organisation.path)
    implementations = list(implementations)
    versions = ImplementationVersion.objects.filter(
        implementation__in=[i.pk for i in implementations],
        status__in=[VersionStatus.DRAFT, VersionStatus.PUBLISHED],
    ).prefetch_related("service_objects", "themes",
                       Prefetch("materials", Material.objects.order_by("position")))
    by_impl: dict[int, ImplementationVersion] = {}
    for version in versions:
        if version.status == VersionStatus.DRAFT or version.implementation_id not in by_impl:
            by_impl[version.implementation_id] = version
    return [(i, by_impl[i.pk]) for i in implementations if i.pk in by_impl]


def excel_export(stream: IO[bytes], *, actor=None, organisation: Organisation | None = None
                 ) -> int:
    """Write the catalog (or ``organisation``'s subtree) in the actor's scope to ``stream``
    as .xlsx; returns the number of items written."""
    pairs = working_versions(actor=actor, organisation=organisation)
    book = Workbook()
    items = book.active
    items.title = ITEMS
    item_headers = [CODE, *INFO_COLUMNS[:1], *[s.label for s in ITEM_FIELDS.values()],
                    *INFO_COLUMNS[1:]]
    _header(items, item_headers, INFO_COLUMNS)
    section_sheets = {}
    for section, (title, fields) in SECTION_SHEETS.items():
        sheet = book.create_sheet(title)
        headers = [CODE, SEQ, *[s.label for s in fields.values()]]
        _header(sheet, headers)
        section_sheets[section] = (sheet, fields, headers, [2])
    row = 2
    for implementation, version in pairs:
        elements = elements_of(version)
        info = _info_values(implementation, version)
        values = [implementation.code, info[0]]
        values += [_cell_value(spec, elements[key]) for key, spec in ITEM_FIELDS.items()]
        values += info[1:]
        _write_row(items, row, values)
        row += 1
        for section, (sheet, fields, _, next_row) in section_sheets.items():
            for index, item in enumerate(elements[section], start=1):
                _write_row(sheet, next_row[0], [implementation.code, index] + [
                    _cell_value(spec, item[key]) for key, spec in fields.items()])
                next_row[0] += 1
    spec_by_label = {s.label: s for s in ITEM_FIELDS.values()}
    _validations(items, item_headers, spec_by_label, row)
    for sheet, fields, headers, next_row in section_sheets.values():
        _validations(sheet, headers, {s.label: s for s in fields.values()}, next_row[0])
    # The organisations come after the item sheets people edit most, though the importer
    # reads them first.
    org_sheet = book.create_sheet(orgs.ORGS)
    _header(org_sheet, orgs.ORG_HEADERS)
    org_rows = orgs.export_rows(list({i.organisation_id: i.organisation
                                      for i, _ in pairs}.values()))
    for number, values in enumerate(org_rows, start=2):
        _write_row(org_sheet, number, values)
    _readme(book.create_sheet(README))
    book.save(stream)
    return len(pairs)


def _info_values(implementation, version) -> list[Any]:
    entry = implementation.entry
    status = implementation.get_status_display()
    version_text = f"{version.number}（{version.get_status_display()}）"
    return [implementation.organisation.name, entry.basic_code, entry.name,
            label(ItemType, entry.item_type), label(ExerciseLevel, implementation.level),
            status, version_text, "是" if implementation.in_hall else "否",
            implementation.not_in_hall_reason or None]


def _readme(sheet) -> None:
    lines = [
        "如何填写",
        "1. 每个事项在“事项”表占一行，以实施编码对应；"
        "材料、收费、特别程序各占一行，用实施编码和序号关联。",
        "2. 灰色列只供查看，导入时不改变；蓝色列可以修改。",
        "3. 下拉列表中的选项即可选值；“是/否”列填“是”或“否”。",
        "4. 服务对象、主题、办理形式可填多个，每个一行（单元格内换行 Alt+Enter）。",
        "5. 时限填整数并选择单位（工作日、自然日、小时）；没有时限请留空。",
        "6. 新增事项：填写新的实施编码（统一社会信用代码 18 位 + 行使层级 1 位 + 基本编码 12 位），"
        "实施主体须已在系统中登记或列在“机构”表中；基本目录不存在时请同时填写“基本目录名称”"
        "和“事项类型”。",
        "9. “机构”表先于事项导入：每行一个机构（机构编码、机构名称、统一社会信用代码、"
        "上级机构编码、层级 1–6、行政区划代码 6 位、机构类型）。已登记的机构按统一社会信用代码"
        "或导出时的机构编码识别，不会被修改；其余各行新建，上级机构编码填本表中另一行的机构编码。"
        "政府部门须有统一社会信用代码；人民政府和政务服务中心可以没有。",
        "7. 导入时先检查全部内容，有任何错误都不会写入，并列出出错的表、行和列。",
        "8. 内容没有变化的事项不会产生新版本。",
    ]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet.column_dimensions["A"].width = 120


# --- import -----------------------------------------------------------------------------


@dataclass
class _ItemRow:
    row: int
    code: str
    raw: dict[str, Any]
    info: dict[str, Any]
    sections: dict[str, list[tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list))


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
            result.errors.append(RowError(ITEMS, number, CODE, problem))
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
            items[code].sections[section].append((number, row, seq))
    for item in items.values():
        for section in SECTION_SHEETS:
            rows = item.sections.get(section, [])
            rows.sort(key=lambda r: (_seq_key(r[2]), r[0]))
            item.sections[section] = [(n, row) for n, row, _ in rows]
            item.raw[section] = [row for _, row in item.sections[section]]
    book.close()
    return list(items.values())


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
    codes = [i.code for i in items]
    implementations = {
        i.code: i for i in Implementation.objects.filter(code__in=codes)
        .select_related("organisation")
    }
    working = {}
    for version in ImplementationVersion.objects.filter(
        implementation__code__in=codes,
        status__in=[VersionStatus.DRAFT, VersionStatus.PUBLISHED],
    ).values("implementation__code", "status", "content_hash"):
        code = version["implementation__code"]
        if version["status"] == VersionStatus.DRAFT or code not in working:
            working[code] = (version["content_hash"], version["status"] == VersionStatus.DRAFT)
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
                        "事项类型无效，可选：" + "、".join(lbl for _, lbl in ItemType.choices)
                        + "。"))
                    continue
        try:
            elements = validate_elements(item.raw)
        except ElementsInvalid as exc:
            for key, message in exc.details.items():
                sheet, row, column = _locate(item, key)
                result.errors.append(RowError(sheet, row, column, message))
            continue
        hash_, has_draft = working.get(item.code, (None, False))
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
    from ..models import Theme

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
            publish_draft(implementation, actor=actor, reason=reason, now=now)
            result.published.append(code)
        return
    if checked.working_hash == new_hash:
        result.unchanged += 1
        return
    item_draft_update_inner(actor=actor, code=code, changes=checked.elements, reason=reason,
                            now=now)
    result.changed.append(code)
    if publish:
        implementation = Implementation.objects.select_for_update().get(code=code)
        publish_draft(implementation, actor=actor, reason=reason, now=now)
        result.published.append(code)
