"""Writing the catalog to a workbook: the working versions in the actor's scope, one
sheet per section, drop-down lists and the 说明 sheet."""

from collections.abc import Iterable
from typing import IO, Any

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.identity.models import Organisation

from ... import permissions as perms
from ...codes import (
    ExerciseLevel,
    ItemType,
    VersionStatus,
    label,
)
from ...elements import (
    elements_of,
)
from ...models import Implementation, ImplementationVersion, Material
from .. import organisations as orgs
from .form_sheets import FORM_HEADERS, RULE_HEADERS, form_row_values
from .layout import (
    _BLUE,
    _GREY,
    CODE,
    FORM,
    FORM_RULES,
    INFO_COLUMNS,
    ITEM_FIELDS,
    ITEMS,
    README,
    SECTION_SHEETS,
    SEQ,
)

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
    items = book.worksheets[0]  # the sheet a new workbook starts with
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
    form_sheet, rule_sheet = book.create_sheet(FORM), book.create_sheet(FORM_RULES)
    _header(form_sheet, FORM_HEADERS)
    _header(rule_sheet, RULE_HEADERS)
    form_row, rule_row = 2, 2
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
        if version.form:
            form_values, rule_values = form_row_values(version.form)
            for values in form_values:
                _write_row(form_sheet, form_row, [implementation.code, *values])
                form_row += 1
            for values in rule_values:
                _write_row(rule_sheet, rule_row, [implementation.code, *values])
                rule_row += 1
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
        "10. “表单”表是事项的申请表单，每个字段一行，按填写顺序排列：同一页的行写同一个"
        "页面标识，页面标题等写在该页第一行；重复组的成员紧跟在重复组之后，在“所属重复组”"
        "填重复组的字段标识。选项写成“值=名称;值=名称”，英文名称写在“|”之后。"
        "“表单规则”表每条跨字段规则一行。某事项在“表单”表中没有行，即没有自己的表单"
        "（使用按申请材料生成的通用表单）。",
        "7. 导入时先检查全部内容，有任何错误都不会写入，并列出出错的表、行和列。",
        "8. 内容没有变化的事项不会产生新版本。",
    ]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet.column_dimensions["A"].width = 120


