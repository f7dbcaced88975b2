"""The service-item catalog as people use it: a citizen finds a guide on a phone, a catalog
admin changes an item at the desk (a new version, the old one still readable; invalid
edits and bad codes refused). The pages have no serious accessibility problems."""

import json
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from onewindow.catalog.codes import ServiceObjectCode, VersionStatus
from onewindow.catalog.importers.gdzwfw import BUNDLED_FILE, import_gdzwfw
from onewindow.catalog.models import ImplementationVersion, ServiceObject
from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import Organisation
from onewindow.testing import axe_violations
from onewindow.web import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXAMPLE_CODE = "11440000006940116U2440102002003"  # 中小学地方课程教材初审
# Set ONEWINDOW_SCREENSHOTS=/some/dir to keep screenshots of the pages for a look.
SCREENSHOTS = os.environ.get("ONEWINDOW_SCREENSHOTS", "")


def _format(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} {v['nodes'][0]['target']}"
                     for v in violations)


def _assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, _format(violations)


def _screenshot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def service_objects():
    """服务对象 is seeded by a migration; a transactional test before this one flushed it."""
    for code, name in ServiceObjectCode.choices:
        ServiceObject.objects.update_or_create(code=code, defaults={"name": name})


@pytest.fixture
def guangdong_subset(service_objects):
    """The real Guangdong records about 教材 and 社保 (社会保险), plus the example item."""
    lines = []
    for line in BUNDLED_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        names = f"{record.get('TASK_NAME')}|{record.get('CATANAME')}"
        if (record["TASK_CODE"] == EXAMPLE_CODE
                or any(word in names for word in ("教材", "社保", "社会保险"))):
            lines.append(line)
    report = import_gdzwfw(lines=lines, now=timezone.now())
    assert report.created == len(lines) >= 5, report.lines()


def test_a_citizen_finds_a_guide_on_a_phone(phone_page, guangdong_subset):
    page = phone_page
    page.goto("/items/")
    assert page.get_by_role("heading", level=1).inner_text() == "办事指南"
    _assert_accessible(page)

    search = page.get_by_role("searchbox", name="搜索事项")
    search.fill("社保")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/items/?q=*")
    results = page.locator("ol.cat-result-list")
    assert "企业职工社会保险费断缴补缴申报" in results.inner_text()
    # The query stays in the box and in the address.
    assert page.get_by_role("searchbox", name="搜索事项").input_value() == "社保"

    page.get_by_role("searchbox", name="搜索事项").fill("教材")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/items/?q=%E6%95%99%E6%9D%90*")
    assert page.locator("li.cat-result").count() == 3
    _screenshot(page, "items-phone")
    page.get_by_role("link", name="中小学地方课程教材初审").click()
    page.wait_for_url(f"**/items/{EXAMPLE_CODE}/")

    assert page.get_by_role("heading", level=1).inner_text() == "中小学地方课程教材初审"
    materials = page.locator("table.cat-materials-table tbody tr")
    assert materials.count() == 4
    assert "广东省中小学地方课程教材审查登记表" in materials.first.inner_text()
    limits = page.locator("#limits").inner_text()
    assert "70 个工作日" in limits and "18 个工作日" in limits
    fees = page.locator("#fees")
    assert fees.get_by_role("heading", name="收费").is_visible()
    assert "不收费" in fees.inner_text()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _screenshot(page, "guide-phone")
    _assert_accessible(page)


@pytest.fixture
def weihai_item(service_objects):
    now = timezone.now()
    demo.load_identity(now=now)
    hrss = Organisation.objects.get(name="威海市人力资源和社会保障局")
    return make_item(organisation=hrss, now=now, name="失业保险金申领")


def _staff_login(page, username="catalogadmin1"):
    page.goto("/staff/login/")
    page.get_by_label("工作人员用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/")


def test_a_catalog_admin_changes_an_item_and_the_old_version_stays(desk_page, weihai_item):
    page = desk_page
    code = weihai_item.code
    _staff_login(page)
    page.goto("/staff/catalog/")
    table = page.get_by_role("table")
    assert "失业保险金申领" in table.inner_text()
    _screenshot(page, "staff-list")
    _assert_accessible(page)

    page.get_by_role("link", name="失业保险金申领").click()
    page.wait_for_url(f"**/staff/catalog/{code}/")
    page.get_by_role("link", name="修改（生成草稿）").click()
    page.wait_for_url(f"**/staff/catalog/{code}/edit/")
    _assert_accessible(page)

    # Promised longer than legal: refused next to the field, the input kept, nothing saved.
    promised = page.get_by_label("承诺办结时限", exact=True)
    promised.fill("30")
    page.get_by_role("button", name="保存草稿").first.click()
    alert = page.get_by_role("alert")
    assert "承诺办结时限不能超过法定办结时限" in alert.inner_text()
    assert page.get_by_label("承诺办结时限", exact=True).input_value() == "30"
    assert not ImplementationVersion.objects.filter(
        implementation=weihai_item, status=VersionStatus.DRAFT).exists()
    _screenshot(page, "staff-edit-error")
    alert.get_by_role("link").first.click()
    assert page.url.endswith("#id_promised_limit_amount")

    page.get_by_label("承诺办结时限", exact=True).fill("3")
    page.get_by_label("变更理由").fill("压缩承诺时限")
    page.get_by_role("button", name="保存草稿").first.click()
    # (The browser keeps the fragment of the error link across the redirect.)
    page.wait_for_url(re.compile(rf"/staff/catalog/{code}/(#.*)?$"))
    assert "已保存为草稿（第 2 版）" in page.get_by_role("status").inner_text()

    # Publishing asks for a reason and says what will happen, with the changes listed.
    page.locator("#op-publish > summary").click()
    dialog = page.locator("#op-publish")
    assert "将立即对公众生效" in dialog.inner_text()
    assert "5 个工作日" in dialog.inner_text() and "3 个工作日" in dialog.inner_text()
    reason = dialog.get_by_label("发布草稿的理由（必填，记入操作记录）")
    assert reason.input_value() == "压缩承诺时限"
    _screenshot(page, "staff-publish-dialog")
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认发布").click()
    assert "已发布第 2 版" in page.get_by_role("status").inner_text()
    history = page.locator("section", has=page.get_by_role("heading", name="版本记录"))
    assert "已被替代" in history.inner_text()
    _screenshot(page, "staff-item")

    page.get_by_role("link", name="查看第 1 版").click()
    page.wait_for_url(f"**/staff/catalog/{code}/versions/1/")
    assert "这是历史版本" in page.get_by_role("note").inner_text()
    assert "5 个工作日" in page.locator("#limits").inner_text()
    page.goto(f"/items/{code}/")
    assert "3 个工作日" in page.locator("#limits").inner_text()
    page.goto(f"/items/{code}/?version=1")
    assert "这是历史版本" in page.get_by_role("note").inner_text()


def test_a_bad_code_is_refused_when_creating(desk_page, weihai_item):
    page = desk_page
    _staff_login(page)
    page.goto("/staff/catalog/new/")
    page.get_by_label("实施主体", exact=True).select_option(label="威海市市场监督管理局")
    page.get_by_label("基本编码").fill("37010")
    page.get_by_label("事项名称").fill("测试新增事项")
    page.get_by_label("自然人").check()
    page.get_by_role("button", name="保存草稿").first.click()
    alert = page.get_by_role("alert")
    assert "实施编码应为 31 位" in alert.inner_text()
    assert "基本目录中没有这个基本编码" in alert.inner_text()
    assert page.get_by_label("事项名称").input_value() == "测试新增事项"
    _screenshot(page, "staff-new-error")
    assert ImplementationVersion.objects.count() == 1
