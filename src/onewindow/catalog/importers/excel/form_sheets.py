"""The 表单 and 表单规则 sheets: an item's application form (ADR 0031) one row per field
and one per cross-field rule, in the cells of ``catalog.forms.cells``."""

from typing import Any

from ...forms import cells
from .layout import CODE

FORM_HEADERS = [CODE, *[c.header for c in cells.PAGE_COLUMNS],
                *[c.header for c in cells.FIELD_COLUMNS]]
RULE_HEADERS = [CODE, *[c.header for c in cells.RULE_COLUMNS]]
_PAGE_BY_HEADER = {c.header: c.attr for c in cells.PAGE_COLUMNS}
_FIELD_BY_HEADER = {c.header: c.attr for c in cells.FIELD_COLUMNS}
_RULE_BY_HEADER = {c.header: c.attr for c in cells.RULE_COLUMNS}
_HEADER_OF_PLACE = {
    **{c.attr: c.header for c in cells.FIELD_COLUMNS},
    "title": "页面标题", "title_en": "页面标题（英文）", "page": "页面标识",
}


def _cell(column: cells.Column, value: Any) -> Any:
    if value in ("", None, []):
        return None
    return value


def form_row_values(form: dict) -> tuple[list[list[Any]], list[list[Any]]]:
    """The values of the 表单 rows and the 表单规则 rows of ``form`` (without 实施编码)."""
    rows, rules = cells.form_rows(form)
    form_values = []
    for page, field in rows:
        form_values.append(
            [_cell(c, page.get(c.attr)) for c in cells.PAGE_COLUMNS]
            + [_cell(c, field.get(c.attr)) for c in cells.FIELD_COLUMNS])
    rule_values = [[_cell(c, rule.get(c.attr)) for c in cells.RULE_COLUMNS] for rule in rules]
    return form_values, rule_values


def split_form_row(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(page cells, field cells) of a 表单 row read as {header: value}."""
    page = {attr: values.get(header) for header, attr in _PAGE_BY_HEADER.items()
            if header in values}
    field = {attr: values.get(header) for header, attr in _FIELD_BY_HEADER.items()
             if header in values}
    return page, field


def rule_row(values: dict[str, Any]) -> dict[str, Any]:
    return {attr: values.get(header) for header, attr in _RULE_BY_HEADER.items()
            if header in values}


def header_of(where: str, attr: str) -> str:
    """The column a ``check_definition`` problem (at ``where``, ending in ``attr``) is in."""
    if where.startswith("rules."):
        return next((c.header for c in cells.RULE_COLUMNS if c.attr == attr), "")
    if ".fields." not in where and where.startswith("pages."):
        return next((c.header for c in cells.PAGE_COLUMNS if c.attr == attr), "")
    return _HEADER_OF_PLACE.get(attr, "")
