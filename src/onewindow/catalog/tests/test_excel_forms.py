"""The 表单 and 表单规则 sheets of the catalog workbook: every demo form goes out and comes
back exactly, a changed cell changes the item's draft form, a bad cell is reported with
its sheet, row and column and nothing is written, and a workbook without the sheet keeps
the forms."""

import io

import pytest
from openpyxl import load_workbook

from onewindow.catalog import services
from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.demo_forms import FORMS
from onewindow.catalog.forms import cells
from onewindow.catalog.importers.excel import excel_export, excel_import
from onewindow.catalog.models import ImplementationVersion

from .factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_forms(tree, now):
    """One published item per demo form, the form set through the editor's service."""
    items = {}
    for name, form in FORMS.items():
        item = make_item(organisation=tree["dept_a"], now=now)
        draft = services.item_draft_open(actor=None, implementation=item, now=now)
        services.version_form_set(actor=None, version=draft, form=form, now=now)
        services.item_publish(actor=None, implementation=item, reason="一表申请", now=now)
        items[name] = item
    return items


def export() -> bytes:
    buffer = io.BytesIO()
    excel_export(buffer)
    return buffer.getvalue()


def rows_of(data: bytes, sheet: str) -> tuple[list[str], list[list]]:
    ws = load_workbook(io.BytesIO(data))[sheet]
    all_rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [str(h) for h in all_rows[0]], all_rows[1:]


def rewrite(data: bytes, sheet: str, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book[sheet], {c.value: c.column for c in book[sheet][1]})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form(item) -> dict:
    version = (ImplementationVersion.objects.filter(implementation=item)
               .order_by("-number").first())
    assert version is not None
    return version.form


def test_every_demo_form_goes_through_the_workbook_exactly(with_forms, now):
    data = export()
    headers, rows = rows_of(data, "表单")
    assert headers[:4] == ["实施编码", "页面标识", "页面标题", "页面标题（英文）"]
    food = with_forms["370100123001"].code
    first = dict(zip(headers, next(r for r in rows if r[0] == food), strict=True))
    assert (first["页面标识"], first["页面标题"], first["字段标识"], first["类型"]) == (
        "operator", "经营者信息", "operator_name", "单行文字")
    member = dict(zip(headers, next(r for r in rows if r[0] == food
                                    and r[headers.index("字段标识")] == "staff_name"),
                      strict=True))
    assert member["所属重复组"] == "staff" and member["页面标题"] is None
    _, rules = rows_of(data, "表单规则")
    assert [r[1] for r in rules] == ["kitchen_to_dining"]
    # Empty the forms, then import the workbook: every form comes back as it was.
    for item in with_forms.values():
        draft = services.item_draft_open(actor=None, implementation=item, now=now)
        services.version_form_set(actor=None, version=draft, form={}, now=now)
        services.item_publish(actor=None, implementation=item, reason="去掉表单", now=now)
        assert _form(item) == {}
    result = excel_import(io.BytesIO(data), actor=None, publish=True, now=now)
    assert result.errors == []
    for name, item in with_forms.items():
        assert _form(item) == FORMS[name], name


def test_a_round_trip_of_the_forms_changes_nothing(with_forms, now):
    count = ImplementationVersion.objects.count()
    result = excel_import(io.BytesIO(export()), actor=None, publish=True, now=now)
    assert result.errors == [] and result.unchanged == len(FORMS)
    assert ImplementationVersion.objects.count() == count


def test_a_field_added_in_the_sheet_reaches_the_draft(with_forms, now):
    item = with_forms["372000311002"]

    def add(ws, columns):
        row = ws.max_row + 1
        for header, value in {"实施编码": item.code, "页面标识": "delivery",
                              "字段标识": "remark", "字段名称": "备注", "类型": "多行文字",
                              "必填": "否", "最长长度": 500}.items():
            ws.cell(row=row, column=columns[header], value=value)

    result = excel_import(io.BytesIO(rewrite(export(), "表单", add)), actor=None, now=now)
    assert result.errors == [] and result.changed == [item.code]
    draft = ImplementationVersion.objects.get(implementation=item, status=VersionStatus.DRAFT)
    last = draft.form["pages"][-1]["fields"][-1]
    assert last == {"key": "remark", "label": "备注", "type": "textarea", "required": False,
                    "max_length": 500}


def test_a_bad_form_cell_is_named_by_sheet_row_and_column(with_forms, now):
    item = with_forms["370100123001"]
    data = export()
    headers, rows = rows_of(data, "表单")
    key_col = headers.index("字段标识")
    target, choice = (next(n for n, r in enumerate(rows, start=2)
                           if r[0] == item.code and r[key_col] == key)
                      for key in ("credit_code", "operator_type"))

    def break_it(ws, columns):
        ws.cell(row=target, column=columns["字段标识"], value="operator_name")  # a duplicate
        ws.cell(row=choice, column=columns["代码表"], value="no_such_table")

    before = _form(item)
    result = excel_import(io.BytesIO(rewrite(data, "表单", break_it)), actor=None, now=now)
    text = [str(e) for e in result.errors]
    assert f"“表单”表第 {target} 行“字段标识”列：字段标识“operator_name”重复。" in text
    assert f"“表单”表第 {choice} 行“代码表”列：未知的代码表“no_such_table”。" in text
    assert _form(item) == before
    assert not ImplementationVersion.objects.filter(implementation=item,
                                                    status=VersionStatus.DRAFT).exists()


def test_a_member_must_follow_its_group(with_forms, now):
    item = with_forms["372000311002"]

    def orphan(ws, columns):
        row = ws.max_row + 1
        for header, value in {"实施编码": item.code, "页面标识": "card", "字段标识": "who",
                              "字段名称": "姓名", "类型": "text", "所属重复组": "nobody"}.items():
            ws.cell(row=row, column=columns[header], value=value)

    result = excel_import(io.BytesIO(rewrite(export(), "表单", orphan)), actor=None, now=now)
    assert [e.column for e in result.errors] == ["所属重复组"]


def test_a_workbook_without_the_form_sheet_keeps_the_forms(with_forms, now):
    book = load_workbook(io.BytesIO(export()))
    del book["表单"]
    del book["表单规则"]
    out = io.BytesIO()
    book.save(out)
    result = excel_import(io.BytesIO(out.getvalue()), actor=None, now=now)
    assert result.errors == []
    for name, item in with_forms.items():
        assert _form(item) == FORMS[name]


def test_numbers_typed_as_text_and_type_names_in_words_are_read():
    built = cells.form_from_rows(
        [(2, {"key": "p", "title": "页"}, {"key": "n", "label": "数", "type": "数字",
                                          "min": "0", "max": "12.5", "required": "是"})], [])
    assert built.form["pages"][0]["fields"][0] == {
        "key": "n", "label": "数", "type": "number", "min": 0, "max": 12.5, "required": True}
