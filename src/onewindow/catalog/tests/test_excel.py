"""Excel export and import: a round trip changes nothing; bad rows are reported with their
row number and nothing is half-written."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from onewindow.audit.models import AuditEvent
from onewindow.catalog import selectors
from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.importers.excel import excel_export, excel_import
from onewindow.catalog.models import Implementation, ImplementationVersion

from .factories import CatalogEntryFactory, ThemeFactory, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(tree, now):
    theme = ThemeFactory(name="社会保障（社会保险、社会救助）")
    rich = make_item(
        organisation=tree["dept_a"], now=now, name="=SUM(A1) 不是公式",
        themes=[theme.name], short_name="简称", daily_name="常用名",
        acceptance_conditions="第一条；\n第二条\n\n第三条（空行之后）",
        fee_charged=True, fees=[{"name": "工本费", "amount": "12.5", "basis": "物价文件"},
                                {"name": "加急费", "amount": "", "basis": "按标准"}],
        special_procedures=[{"kind": "2", "name": "专家评审", "limit_amount": 15,
                             "limit_unit": "NATURAL_DAY", "basis": "行政许可法第四十五条"}],
        result_name="许可证", result_kind="LICENCE", result_licence_type="LIC-001",
        commitment_allowed=True, cross_region_scope="CROSS_PROVINCE",
        online_apply_url="https://example.gov.cn/apply",
    )
    plain = make_item(organisation=tree["dept_b"], now=now, legal_limit_amount=None,
                      legal_limit_unit="", promised_limit_amount=None, promised_limit_unit="",
                      handling_type="1", materials=[])
    return {"rich": rich, "plain": plain, **tree}


def export(**kwargs) -> bytes:
    buffer = io.BytesIO()
    excel_export(buffer, **kwargs)
    return buffer.getvalue()


def edit(data: bytes, sheet: str, changes: dict[tuple[int, str], object]) -> bytes:
    """Change cells addressed by (row, header) and return the new workbook bytes."""
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    headers = {cell.value: cell.column for cell in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row=row, column=headers[header], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_round_trip_changes_nothing(items, now):
    data = export()
    versions, audits = ImplementationVersion.objects.count(), AuditEvent.objects.count()
    result = excel_import(io.BytesIO(data), actor=None, publish=True, now=now)
    assert result.errors == []
    assert (result.read, result.unchanged, result.created, result.changed) == (2, 2, [], [])
    assert (ImplementationVersion.objects.count(), AuditEvent.objects.count()) == (
        versions, audits)


def test_the_layout_is_for_people(items):
    book = load_workbook(io.BytesIO(export()))
    assert book.sheetnames == ["事项", "材料", "收费", "特别程序", "表单", "表单规则", "机构",
                               "说明"]
    ws = book["事项"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["实施编码", "实施主体", "事项名称"]
    row = {h: c.value for h, c in zip(headers, ws[2], strict=True)}
    assert row["事项名称"] == "=SUM(A1) 不是公式" and ws.cell(2, 3).data_type == "s"
    assert row["法定时限单位"] == "工作日" and row["是否收费"] == "是"
    assert row["主题"] == "社会保障（社会保险、社会救助）"
    assert row["服务对象"] == "自然人\n企业法人"
    materials = list(book["材料"].iter_rows(min_row=2, values_only=True))
    assert materials[1][:4] == (items["rich"].code, 2, "营业执照", "视情况提交")


def test_an_edited_cell_becomes_a_draft_or_a_published_version(items, now):
    data = edit(export(), "事项", {(2, "承诺办结时限"): 3})
    result = excel_import(io.BytesIO(data), actor=None, now=now)
    assert (result.changed, result.unchanged) == ([items["rich"].code], 1)
    draft = ImplementationVersion.objects.get(implementation=items["rich"],
                                              status=VersionStatus.DRAFT)
    assert draft.promised_limit_amount == 3
    assert selectors.guide(code=items["rich"].code).promised_limit.amount == 5  # not yet public
    # Exporting again shows the working draft, and importing it again changes nothing.
    again = excel_import(io.BytesIO(export()), actor=None, now=now)
    assert (again.changed, again.unchanged) == ([], 2)

    data = edit(export(), "材料", {(3, "材料名称"): "营业执照副本"})
    published = excel_import(io.BytesIO(data), actor=None, publish=True, reason="Excel 修订",
                             now=now)
    assert published.published == [items["rich"].code]
    guide = selectors.guide(code=items["rich"].code)
    assert guide.version.number == 2 and guide.materials[1].name == "营业执照副本"


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written(items, now):
    data = export()
    data = edit(data, "事项", {(2, "承诺办结时限"): 3,  # a valid change in row 2 …
                               (3, "办件类型"): "马上办",  # … but row 3 is wrong
                               (3, "到办事现场次数"): "两次"})
    data = edit(data, "材料", {(2, "原件份数"): -1})
    versions, audits = ImplementationVersion.objects.count(), AuditEvent.objects.count()
    result = excel_import(io.BytesIO(data), actor=None, publish=True, now=now)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("“事项”表第 3 行“办件类型”列：办件类型“马上办”无效") for m in messages)
    assert any(m.startswith("“事项”表第 3 行“到办事现场次数”列") for m in messages)
    assert any(m.startswith("“材料”表第 2 行“原件份数”列") for m in messages)
    assert (result.changed, result.published) == ([], [])
    assert (ImplementationVersion.objects.count(), AuditEvent.objects.count()) == (
        versions, audits)


def test_unknown_codes_duplicates_and_orphans_are_reported(items, now):
    data = edit(export(), "事项", {(3, "实施编码"): items["rich"].code})
    data = edit(data, "材料", {(2, "实施编码"): "11440000006940116U2440102002003"})
    result = excel_import(io.BytesIO(data), actor=None, now=now)
    messages = [str(e) for e in result.errors]
    assert "“事项”表第 3 行“实施编码”列：与第 2 行的实施编码重复。" in messages
    assert "“材料”表第 2 行“实施编码”列：“事项”表中没有这个实施编码。" in messages
    result = excel_import(io.BytesIO(b"not a workbook"), actor=None, now=now)
    assert result.errors[0].message.startswith("无法读取 Excel 文件")


def test_a_new_row_creates_an_item(items, now):
    entry = CatalogEntryFactory()
    code = f"{items['dept_a'].credit_code}3{entry.basic_code}"
    data = edit(export(), "事项", {(4, "实施编码"): code, (4, "事项名称"): "新事项",
                                   (4, "服务对象"): "自然人", (4, "办件类型"): "即办件"})
    result = excel_import(io.BytesIO(data), actor=None, publish=True, now=now)
    assert result.errors == [] and result.created == [code]
    assert selectors.guide(code=code).handling_type.label == "即办件"


def test_scope_of_the_importing_admin(items, now):
    data = edit(export(), "事项", {(2, "承诺办结时限"): 3, (3, "承诺办结时限"): None})
    result = excel_import(io.BytesIO(data), actor=items["admin_b"], now=now)
    assert [str(e) for e in result.errors] == [
        "“事项”表第 2 行“实施编码”列：没有找到该事项或无权修改。"]
    # An admin exports only their own part.
    book = load_workbook(io.BytesIO(export(actor=items["admin_b"])))
    assert [r[0] for r in book["事项"].iter_rows(min_row=2, values_only=True)] == [
        items["plain"].code]
    book = load_workbook(io.BytesIO(export(organisation=items["dept_a"])))
    assert [r[0] for r in book["事项"].iter_rows(min_row=2, values_only=True)] == [
        items["rich"].code]


def test_the_commands_round_trip(items, tmp_path, capsys):
    path = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(path))
    assert "已导出 2 个事项" in capsys.readouterr().out
    call_command("import_catalog", str(path), "--format", "xlsx", "--publish")
    assert "未变 2，错误 0" in capsys.readouterr().out
    assert Implementation.objects.count() == 2


# --- the 机构 sheet: a region's first import --------------------------------------------


def fill(data: bytes, sheet: str, rows: list[dict[str, object]]) -> bytes:
    """Append ``rows`` (header → value) to ``sheet`` after its last row."""
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    headers = {cell.value: cell.column for cell in ws[1]}
    start = ws.max_row + 1
    for offset, row in enumerate(rows):
        for header, value in row.items():
            ws.cell(row=start + offset, column=headers[header], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def first_import_workbook(*, dept_credit: str, entry, parent_code: str = "GD-440300",
                          with_government: bool = True) -> bytes:
    """A new region's workbook: its government and one department in 机构, one item."""
    org_rows = [{"机构编码": "DEPT", "机构名称": "深圳市市场监督管理局",
                 "统一社会信用代码": dept_credit, "上级机构编码": parent_code, "层级": 3,
                 "行政区划代码": "440300"}]
    if with_government:
        org_rows.insert(0, {"机构编码": "GD-440300", "机构名称": "深圳市人民政府", "层级": "市级",
                            "行政区划代码": "440300", "机构类型": "人民政府"})
    data = fill(export(), "机构", org_rows)
    return fill(data, "事项", [{
        "实施编码": f"{dept_credit}3{entry.basic_code}", "事项名称": "食品经营许可（深圳）",
        "服务对象": "企业法人", "办件类型": "承诺件",
    }])


def test_a_regions_first_import_creates_its_organisations_then_its_items(db, now):
    from onewindow.identity.models import Organisation
    from onewindow.identity.tests.factories import make_credit_code

    credit = make_credit_code("440300")
    entry = CatalogEntryFactory()
    data = first_import_workbook(dept_credit=credit, entry=entry)
    result = excel_import(io.BytesIO(data), actor=None, publish=True, now=now)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.organisations_created == ["深圳市人民政府", "深圳市市场监督管理局"]
    assert "新建机构 2：深圳市人民政府、深圳市市场监督管理局" in result.lines()
    dept = Organisation.objects.get(credit_code=credit)
    assert dept.kind == "DEPARTMENT" and dept.level == 3 and dept.parent.name == "深圳市人民政府"
    assert dept.path.startswith(dept.parent.path)
    assert result.created == [f"{credit}3{entry.basic_code}"]
    # The export writes the tree back, and importing it again creates nothing.
    book = load_workbook(io.BytesIO(export()))
    rows = list(book["机构"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["深圳市人民政府", "深圳市市场监督管理局"]
    assert rows[1][2] == credit and rows[1][3] == rows[0][0]
    again = excel_import(io.BytesIO(export()), actor=None, now=now)
    assert again.errors == [] and again.organisations_created == [] and again.unchanged == 1
    assert Organisation.objects.count() == 2


def test_organisation_rows_are_checked_and_nothing_is_written_on_errors(items, now):
    from onewindow.identity.models import Organisation

    before = Organisation.objects.count()
    data = fill(export(), "机构", [
        {"机构编码": "X1", "机构名称": "某局", "统一社会信用代码": "91440300MA5FAKE000",
         "上级机构编码": "NOWHERE", "层级": 9, "行政区划代码": "440300"},
        {"机构编码": "X2", "机构名称": "某中心", "上级机构编码": "X1", "层级": 3,
         "行政区划代码": "4403", "机构类型": "政务服务中心"},
    ])
    result = excel_import(io.BytesIO(data), actor=None, now=now)
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("“机构”表第") and "“层级”列：层级应为 1–6" in m for m in messages)
    # A valid item change elsewhere in the book is not written either.
    data = fill(edit(export(), "事项", {(2, "承诺办结时限"): 3}), "机构", [
        {"机构编码": "X1", "机构名称": "某局", "上级机构编码": "NOWHERE", "层级": 3,
         "行政区划代码": "440300"}])
    result = excel_import(io.BytesIO(data), actor=None, now=now)
    assert [str(e) for e in result.errors] == [
        f"“机构”表第 {len(list(load_workbook(io.BytesIO(data))['机构'].rows))} 行"
        "“上级机构编码”列：上级机构编码“NOWHERE”不在“机构”表中。"]
    assert result.changed == [] and Organisation.objects.count() == before


def test_an_admin_adds_organisations_only_under_their_scope(items, now):
    from onewindow.identity.models import Organisation
    from onewindow.identity.tests.factories import make_credit_code

    entry = CatalogEntryFactory()
    city_code = items["city"].credit_code or f"ORG{items['city'].pk}"
    # admin_a's scope is 甲局: a new department under the city is refused …
    credit = make_credit_code("440300")
    data = first_import_workbook(dept_credit=credit, entry=entry, parent_code=city_code,
                                 with_government=False)
    result = excel_import(io.BytesIO(data), actor=items["admin_a"], now=now)
    assert any("无权在“测试市人民政府”下新增机构" in str(e) for e in result.errors)
    assert not Organisation.objects.filter(credit_code=credit).exists()
    # … the city's admin may, and the item of the new department is created with it.
    result = excel_import(io.BytesIO(data), actor=items["city_admin"], now=now)
    assert result.errors == [], [str(e) for e in result.errors]
    assert Organisation.objects.get(credit_code=credit).parent == items["city"]
    assert result.created == [f"{credit}3{entry.basic_code}"]


def test_the_organisation_planner_reads_the_register_in_the_same_queries_for_any_sheet(
        tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.catalog.importers.organisations import OrgRow, plan

    city = tree["city"]

    def rows(count: int) -> list[OrgRow]:
        found = [OrgRow(row=2, code=f"ORG{city.pk}", name=city.name, credit_code="",
                        parent_code="", level=city.level, region_code=city.region_code,
                        kind=city.kind)]
        names = ["甲局"] + [f"新设局{i}" for i in range(1, count)]
        found += [OrgRow(row=3 + i, code=f"D{i}", name=name, credit_code="",
                         parent_code=f"ORG{city.pk}", level=city.level,
                         region_code=city.region_code, kind="GOVERNMENT")
                  for i, name in enumerate(names)]
        return found

    queries, errors = [], []
    for count in (2, 12):
        with CaptureQueriesContext(connection) as captured:
            result = plan(rows(count), actor=None,
                          add_error=lambda *error: errors.append(error))
        assert errors == []
        # 甲局 is already registered under the city: matched by name, not created.
        assert [row.name for row in result.new] == [f"新设局{i}" for i in range(1, count)]
        queries.append(len(captured))
    assert queries[0] == queries[1], queries

    # The rule the database also holds is still said in the sheet's words.
    department = OrgRow(row=3, code="D", name="无代码局", credit_code="",
                        parent_code=f"ORG{city.pk}", level=city.level,
                        region_code=city.region_code, kind="DEPARTMENT")
    plan([rows(1)[0], department], actor=None, add_error=lambda *error: errors.append(error))
    assert errors == [(3, "统一社会信用代码", "政府部门须填写统一社会信用代码。")]
