"""The workbook's sheets and columns, and the result of an import (shared by the
export and the import; see the package docstring)."""

from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles import PatternFill

from ...elements import (
    FEE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_PROCEDURE_FIELDS,
    VERSION_FIELDS,
)

ITEMS, MATERIALS, FEES, PROCEDURES, README = "事项", "材料", "收费", "特别程序", "说明"
FORM, FORM_RULES = "表单", "表单规则"
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


