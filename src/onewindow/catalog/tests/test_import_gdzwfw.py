"""Importing the Guangdong catalog: real records, the named example, idempotency, bad
records skipped with reasons."""

import json

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.catalog import selectors, services
from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.importers.gdzwfw import import_gdzwfw, parse_limit
from onewindow.catalog.models import (
    CatalogEntry,
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Theme,
)
from onewindow.identity.models import Organisation

from .conftest import EXAMPLE_CODE, bundled_lines

pytestmark = pytest.mark.django_db

def subset() -> list[str]:
    """The first 40 records, every 市级 (Guangzhou) record of one department, a 业务办理项
    (33-character code) and the six records whose 实施编码 is invalid."""
    lines = bundled_lines()
    chosen = [line for line in lines[:40] if len(json.loads(line)["TASK_CODE"]) == 31]
    records = [json.loads(line) for line in lines]
    city = [r for r in records if r["AREACODE"] == "440100"][:5]
    handling = [r for r in records if len(r["TASK_CODE"]) == 33][:2]
    invalid = [r for r in records if r["TASK_CODE"].startswith(("TE44", "13440000515356094L"))]
    chosen += [json.dumps(r, ensure_ascii=False) for r in city + handling + invalid]
    assert len({json.loads(line)["TASK_CODE"] for line in chosen}) == len(chosen)
    return chosen


def test_parse_limit():
    assert parse_limit("30(工作日)") == (30, "WORKING_DAY", "")
    assert parse_limit("91(自然日)") == (91, "NATURAL_DAY", "")
    assert parse_limit("无") == (None, "", "")
    assert parse_limit("2（小时）") == (2, "HOUR", "")
    assert parse_limit("依申请人需求") == (None, "", "依申请人需求")


def test_the_example_item_imports_with_its_limits_and_materials(now):
    report = import_gdzwfw(lines=subset(), now=now)
    assert report.read == 35
    assert (report.created, report.updated, report.unchanged) == (29, 0, 0)
    assert len(report.skipped) == 6
    assert all("实施编码无效" in reason for _, _, reason in report.skipped)

    guide = selectors.guide(code=EXAMPLE_CODE)
    assert guide.name == "中小学地方课程教材初审"
    assert (guide.legal_limit.amount, guide.legal_limit.unit) == (70, "WORKING_DAY")
    assert (guide.promised_limit.amount, guide.promised_limit.unit) == (18, "WORKING_DAY")
    assert [m.name for m in guide.materials] == [
        "广东省中小学地方课程教材审查登记表", "教材清样（完整版、盲评版）",
        "广东省中小学地方课程教材审查申请表", "送审报告及试验方案",
    ]
    assert guide.item_type.label == "行政许可" and guide.level.label == "省级"
    assert guide.department.name == "广东省教育厅"
    assert [o.label for o in guide.service_objects] == ["自然人", "企业法人", "社会组织法人"]
    assert [t.name for t in guide.themes] == ["教育科研"]
    assert guide.location.startswith("广州市越秀区农林下路72号")
    assert guide.consult_phone == "020-37628755"
    assert guide.handling_type.label == "承诺件"
    assert guide.entry_name == "中小学地方课程教材初审"
    assert CatalogEntry.objects.get(basic_code="440102002003").main_item_code == "44010200200Y"


def test_departments_become_organisations_under_their_governments(now):
    import_gdzwfw(lines=subset(), now=now)
    province = Organisation.objects.get(kind="GOVERNMENT", region_code="440000")
    assert (province.name, province.level, province.parent) == ("广东省人民政府", 2, None)
    education = Organisation.objects.get(credit_code="11440000006940116U")
    assert (education.name, education.kind, education.parent) == (
        "广东省教育厅", "DEPARTMENT", province)
    assert education.path == f"{province.path}{education.pk}/"
    guangzhou = Organisation.objects.get(kind="GOVERNMENT", region_code="440100")
    assert (guangzhou.name, guangzhou.level, guangzhou.parent) == ("广州市人民政府", 3, province)
    city_items = Implementation.objects.filter(level="3")
    assert city_items.exists()
    assert all(i.organisation.parent == guangzhou for i in city_items)
    # Browsing a department = its organisation subtree.
    page = selectors.implementation_list(filters={"org": str(province.pk)}, limit=100)
    assert len(page.items) == Implementation.objects.count()


def test_a_handling_item_code_of_33_characters_is_imported(now):
    import_gdzwfw(lines=subset(), now=now)
    handling = Implementation.objects.get(code="11440000006940116U244010200300101")
    assert handling.entry.basic_code == "440102003001" and handling.level == "2"
    assert selectors.guide(code=handling.code).name.startswith("高等职业学校设立")


def test_a_second_run_changes_nothing(now):
    lines = subset()
    import_gdzwfw(lines=lines, now=now)
    versions, audits = ImplementationVersion.objects.count(), AuditEvent.objects.count()
    again = import_gdzwfw(lines=lines, now=now)
    assert (again.created, again.updated, again.unchanged, len(again.skipped)) == (0, 0, 29, 6)
    assert again.organisations_created == again.entries_created == again.themes_created == 0
    assert (ImplementationVersion.objects.count(), AuditEvent.objects.count()) == (
        versions, audits)


def test_a_changed_record_publishes_a_new_version(now):
    lines = subset()
    import_gdzwfw(lines=lines, now=now)
    record = json.loads(lines[1])
    assert record["TASK_CODE"] == EXAMPLE_CODE
    record["handle_time_limit"] = "15(工作日)"
    record["material_intro"] = record["material_intro"][:3]
    report = import_gdzwfw(lines=[json.dumps(record, ensure_ascii=False)], now=now)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    versions = {v.number: v for v in ImplementationVersion.objects.filter(
        implementation__code=EXAMPLE_CODE)}
    assert versions[1].status == VersionStatus.SUPERSEDED and versions[1].valid_to == now
    assert versions[2].status == VersionStatus.PUBLISHED
    guide = selectors.guide(code=EXAMPLE_CODE)
    assert (guide.promised_limit.amount, len(guide.materials)) == (15, 3)
    assert len(selectors.guide(code=EXAMPLE_CODE, version=1).materials) == 4
    assert ImplementationAction.objects.filter(implementation__code=EXAMPLE_CODE).latest(
        "id").operation == "CHANGE"


def test_bad_records_are_skipped_with_reasons_and_the_rest_imports(now):
    good = json.loads(bundled_lines()[0])
    unknown_type = {**json.loads(bundled_lines()[2]), "TASK_TYPE_TEXT": "行政审查",
                    "matter_type": "行政审查", "TASK_TYPE": "99"}
    too_long = {**json.loads(bundled_lines()[3]), "handle_time": "5(工作日)",
                "handle_time_limit": "9(工作日)"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"TASK_CODE": "无"}),
        json.dumps(unknown_type, ensure_ascii=False),
        json.dumps(too_long, ensure_ascii=False),
        json.dumps([1, 2]),
        json.dumps(good, ensure_ascii=False),
    ]
    report = import_gdzwfw(lines=lines, now=now)
    assert (report.read, report.created) == (7, 1)
    reasons = {line: reason for line, _, reason in report.skipped}
    assert reasons[2].startswith("格式错误")
    assert reasons[3].startswith("缺少实施编码")
    assert reasons[4].startswith("事项类型未知")
    assert reasons[5] == "要素无效：promised_limit_amount 承诺办结时限不能超过法定办结时限。"
    assert reasons[6].startswith("格式错误")
    assert reasons[7].startswith("重复记录")


def test_an_item_with_an_open_draft_is_not_overwritten(now):
    lines = bundled_lines()[:3]
    import_gdzwfw(lines=lines, now=now)
    item = selectors.access_implementation(actor=None, code=EXAMPLE_CODE)
    services.item_draft_update(actor=None, implementation=item, changes={"name": "编辑中"},
                               now=now)
    record = json.loads(lines[1])
    record["handle_time_limit"] = "10(工作日)"
    report = import_gdzwfw(lines=[json.dumps(record, ensure_ascii=False)], now=now)
    assert report.updated == 0
    assert "草稿" in report.skipped[0][2]


def test_the_command_prints_a_summary(now, tmp_path, capsys):
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(subset()), encoding="utf-8")
    call_command("import_catalog", str(path), "--format", "gdzwfw")
    out = capsys.readouterr().out
    assert "读取 read 35，新增 created 29，更新 updated 0，未变 unchanged 0，跳过 skipped 6" in out
    assert "TE440000GD030003VV2442199374000" in out
    call_command("import_catalog", str(path), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["unchanged"], summary["skipped"]) == (29, 6)
    assert Theme.objects.filter(name="教育科研").exists()


@pytest.mark.slow
def test_the_whole_file_imports_and_a_second_run_reports_all_unchanged(now):
    report = import_gdzwfw(now=now)  # the bundled copy
    assert report.read == 2262
    assert report.created + len(report.skipped) == 2262
    assert report.created == 2256
    assert {code[:18] for _, code, _ in report.skipped} == {"TE440000GD030003VV",
                                                            "13440000515356094L"}
    guide = selectors.guide(code=EXAMPLE_CODE)
    assert (guide.legal_limit.amount, guide.promised_limit.amount, len(guide.materials)) == (
        70, 18, 4)
    for query in ("社保", "教材"):
        assert selectors.implementation_list(filters={"q": query}).items, query

    again = import_gdzwfw(now=now)
    assert (again.created, again.updated, again.unchanged, len(again.skipped)) == (
        0, 0, 2256, 6)
    assert ImplementationVersion.objects.count() == 2256
