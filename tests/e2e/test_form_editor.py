"""The catalog admin's form editor (issue 13, ADR 0031) as people use it: catalogadmin1
opens the 食品经营许可 item's form, starts a new version, adds a field to the 经营场所
page and publishes it; an application agent1 started before keeps the old form, a new
application asks the new field. The editor and its preview fit a 375 px phone, in Chinese
and in English, with no serious accessibility problems."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.cases.models import Case

from .test_cases_intake import (  # noqa: F401  (demo_data: fixture)
    FOOD,
    assert_accessible,
    assert_fits_phone,
    demo_data,
    staff_login,
)
from .test_structured_forms import agent_login, heading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Set ONEWINDOW_SCREENSHOTS=/some/dir to keep the screenshots for a look.
SCREENSHOTS = os.environ.get("ONEWINDOW_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def start_application(page, code: str) -> int:
    """agent1 starts an application and reaches the form's second page (经营场所)."""
    page.goto(f"/apply/{code}/")
    page.get_by_role("button", name="下一步：填写申请表").click()
    page.get_by_label("申请内容").fill("开办一家面馆。")
    page.get_by_role("button", name="保存并继续").click()
    expect(heading(page)).to_have_text("经营者信息")
    match = re.search(r"/apply/draft/(\d+)/", page.url)
    assert match is not None
    page.goto(f"/apply/draft/{match.group(1)}/answers/premises/")
    expect(heading(page)).to_have_text("经营场所")
    return int(match.group(1))


def test_an_admin_adds_a_field_and_a_case_started_before_keeps_the_old_form(
        phone_page, desk_page, browser, live_server, demo_data):  # noqa: F811
    code = demo_data[FOOD].code
    agent_login(phone_page)
    before = start_application(phone_page, code)
    expect(phone_page.get_by_label("场所产权人")).to_have_count(0)

    # The admin, at the desk: the item's page links to its form.
    desk = desk_page
    staff_login(desk, "catalogadmin1")
    desk.goto(f"/staff/catalog/{code}/")
    desk.get_by_role("link", name="申请表单").click()
    expect(heading(desk)).to_have_text("申请表单")
    expect(desk.get_by_text("经营者名称").first).to_be_visible()
    desk.get_by_role("button", name="新建草稿版本以修改表单").click()
    expect(desk.get_by_text("已新建草稿版本，可以修改表单了。")).to_be_visible()
    assert_accessible(desk)
    shot(desk, "editor-desk-zh")

    # A field added to the 经营场所 page; a wrong key first, refused next to its box.
    desk.locator("#page-premises").get_by_role("link", name="添加字段到此页").click()
    expect(heading(desk)).to_have_text("添加字段")
    expect(desk.get_by_label("添加到")).to_have_value("page:premises")
    desk.get_by_label("字段标识").fill("Owner")
    desk.get_by_label("字段名称", exact=True).fill("场所产权人")
    desk.get_by_label("必填").check()
    desk.get_by_role("button", name="保存字段").click()
    alert = desk.get_by_role("alert")
    expect(alert).to_contain_text("字段标识应为小写字母开头")
    assert_accessible(desk)
    shot(desk, "field-error-desk-zh")
    desk.get_by_label("字段标识").fill("premises_owner")
    desk.get_by_role("button", name="保存字段").click()
    expect(desk.get_by_text("字段已保存到草稿。")).to_be_visible()
    owner = desk.locator("#field-premises_owner")
    expect(owner).to_contain_text("场所产权人")
    # Moved up above 仓库地址.
    owner.get_by_role("button", name="上移").click()
    fields = desk.locator("#page-premises li.form-editor-field")
    expect(fields.nth(2)).to_contain_text("场所产权人")
    expect(fields.nth(3)).to_contain_text("仓库地址")

    # The preview, as the citizen will see it.
    desk.get_by_role("link", name="按手机宽度预览").click()
    desk.get_by_role("link", name="经营场所").click()
    expect(desk.get_by_label("场所产权人")).to_be_visible()

    # Publish the new version.
    desk.goto(f"/staff/catalog/{code}/")
    desk.locator("#op-publish summary").click()
    desk.get_by_label(re.compile("发布草稿的理由")).fill("经营场所加问产权人")
    desk.get_by_role("button", name="确认发布").click()
    expect(desk.get_by_text(re.compile(r"已发布第 \d+ 版"))).to_be_visible()

    # The application started before keeps its form: no new field on its page …
    phone_page.goto(f"/apply/draft/{before}/answers/premises/")
    expect(heading(phone_page)).to_have_text("经营场所")
    expect(phone_page.get_by_label("经营场所面积")).to_be_visible()
    expect(phone_page.get_by_label("场所产权人")).to_have_count(0)
    old = Case.objects.get(pk=before)
    assert "premises_owner" not in str(old.version.form)
    # … and a new application asks it.
    after = start_application(phone_page, code)
    assert after != before
    expect(phone_page.get_by_label("场所产权人")).to_be_visible()
    assert_fits_phone(phone_page)
    assert "premises_owner" in str(Case.objects.get(pk=after).version.form)


@pytest.mark.parametrize(("language", "width"), [("zh-hans", 375), ("en", 375), ("en", 1366)])
def test_the_editor_and_its_preview_fit_a_phone(browser, live_server, demo_data,  # noqa: F811
                                                language, width):
    code = demo_data[FOOD].code
    phone = width == 375
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=phone,
                                  has_touch=phone, base_url=live_server.url)
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/staff/login/")
    page.locator("input[name=identifier]").fill("catalogadmin1")
    page.locator("input[name=password]").fill("demo-pass-2026")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/catalog/{code}/form/")
    page.locator("form:has(input[value=open]) button").click()
    expect(page.locator("#field-operator_name")).to_be_visible()
    for name, path in (("editor", "form/"), ("field-edit", "form/field/staff/"),
                       ("preview", "form/preview/?page=5")):
        page.goto(f"/staff/catalog/{code}/{path}")
        if phone:
            assert_fits_phone(page)
        assert_accessible(page)
        shot(page, f"{name}-{width}-{language}")
    expect(page.locator("input[name='a-staff.0.staff_name']")).to_be_visible()
    if language == "en":
        assert page.locator("html").get_attribute("lang") == "en"
    context.close()
