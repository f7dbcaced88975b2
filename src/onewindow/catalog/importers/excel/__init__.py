"""The catalog as an Excel workbook that people edit, and back.

Layout (one header row per sheet, Chinese column names, choices as their Chinese labels
with drop-down lists, lists one value per line inside a cell, 是/否 for yes/no):

- 机构      the implementing organisations and the governments above them, read first:
            rows that are not yet registered are created (see importers.organisations)
- 事项      one row per implementation: its elements (grey columns are for reading only:
            实施主体, 基本目录名称, 事项类型, 行使层级, 状态, 版本, 进驻大厅, 不进驻理由)
- 材料      one row per material: 实施编码 + 序号 + the material's elements
- 收费      one row per fee item;  特别程序  one row per special procedure
- 表单      one row per field of an item's application form (ADR 0031), 表单规则 one
            row per cross-field rule (see form_sheets and catalog.forms.cells)
- 说明      how to fill it in

Import is all or nothing: every row is checked first and each problem is reported with
its sheet, row number and column; if there is any, nothing is written. Otherwise changed
items get a draft (or a new published version with ``publish=True``), new codes become
new items, and unchanged rows write nothing — so exporting and importing again changes
nothing. The content exported is the working copy: the open draft if there is one, else
the published version.
"""

from .layout import (
    CODE,
    FEES,
    INFO_COLUMNS,
    ITEM_FIELDS,
    ITEM_HEADERS,
    ITEMS,
    MATERIALS,
    PROCEDURES,
    README,
    SECTION_SHEETS,
    SEQ,
    ExcelImportResult,
    RowError,
)
from .reading import (
    check_rows,
    excel_import,
    read_workbook,
)
from .writing import (
    excel_export,
    working_versions,
)

__all__ = [
    "CODE",
    "FEES",
    "INFO_COLUMNS",
    "ITEMS",
    "ITEM_FIELDS",
    "ITEM_HEADERS",
    "MATERIALS",
    "PROCEDURES",
    "README",
    "SECTION_SHEETS",
    "SEQ",
    "ExcelImportResult",
    "RowError",
    "check_rows",
    "excel_export",
    "excel_import",
    "read_workbook",
    "working_versions",
]
