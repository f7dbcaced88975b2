"""Structured application forms (issue 13, ADR 0031) as people use them: agent1 applies for
食品经营许可 on a phone for the enterprise — 经营者名称 and 社会信用代码 come locked from the
enterprise's registration, 法定代表人 and 住所 from its 营业执照 in the wallet, the contact
person from the account; the 餐饮服务场所 page appears only for 餐饮服务经营者; the check
page lists the answers with a 修改 link per page; the window clerk sees them as a table."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.models import Case
from onewindow.licences.demo import seed_demo_licences
from onewindow.web import demo

from .test_cases_intake import (  # noqa: F401  (demo_data: fixture)
    FOOD,
    assert_accessible,
    assert_fits_phone,
    demo_data,
    staff_login,
    upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def agent_login(page):
    page.goto("/login/")
    page.get_by_label("身份证号码、手机号码或用户名").fill("agent1")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def heading(page):
    return page.get_by_role("heading", level=1)


def test_agent_applies_with_prefilled_answers_and_a_conditional_page(
        phone_page, desk_page, live_server, demo_data, tmp_path):  # noqa: F811
    seed_demo_licences(now=timezone.now())  # the enterprise's 营业执照 in its wallet
    page = phone_page
    agent_login(page)
    page.goto(f"/apply/{demo_data[FOOD].code}/")
    expect(page.get_by_text("第 1 步，共 5 步")).to_be_visible()
    page.get_by_role("button", name="下一步：填写申请表").click()
    assert page.get_by_label("联系人").input_value() == "李海燕"  # from the account
    page.get_by_label("申请内容").fill("开办一家面馆。")
    page.get_by_role("button", name="保存并继续").click()

    # 经营者信息: locked values from the enterprise, editable ones from its 营业执照.
    expect(heading(page)).to_have_text("经营者信息")
    expect(page.get_by_text("第 3 步，共 5 步")).to_be_visible()
    operator = page.locator("#a-operator_name")
    expect(operator).to_contain_text("威海海纳科技有限公司")
    expect(operator).to_contain_text("来自单位登记信息")
    expect(page.locator("input[name='a-operator_name']")).to_have_count(0)  # read-only
    assert page.get_by_label("法定代表人（负责人）").input_value() == "王建国"
    assert page.get_by_label("住所").input_value() == "山东省威海市环翠区高区火炬路 213 号"
    expect(page.get_by_text("来自营业执照").first).to_be_visible()
    assert_fits_phone(page)
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "1-operator.png"), full_page=True)
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("经营场所")
    page.get_by_role("button", name="保存并继续").click()  # nothing filled in yet
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("请填写经营场所。")
    expect(alert).to_contain_text("请填写经营场所面积。")
    assert_accessible(page)
    page.get_by_label("所在区县（行政区划代码）").fill("371002")
    page.get_by_label("详细地址").fill("新威路 18 号")
    page.get_by_label("经营场所面积").fill("120.5")
    page.get_by_role("button", name="保存并继续").click()

    # A shop first: the catering page is skipped.
    expect(heading(page)).to_have_text("主体业态和经营项目")
    page.get_by_label("食品销售经营者").check()
    page.get_by_label("散装食品销售").check()
    page.get_by_role("group", name="是否通过网络经营").get_by_label("否").check()
    page.get_by_role("button", name="保存并继续").click()
    expect(heading(page)).to_have_text("食品安全管理人员和从业人员")
    expect(page.get_by_role("heading", name="餐饮服务场所")).to_have_count(0)

    # Back, and a restaurant instead: now the catering page is asked.
    page.get_by_role("link", name="返回上一步").click()
    expect(heading(page)).to_have_text("主体业态和经营项目")
    page.get_by_label("餐饮服务经营者").check()
    page.get_by_label("散装食品销售").uncheck()
    page.get_by_label("热食类食品制售").check()
    page.get_by_role("button", name="保存并继续").click()
    expect(heading(page)).to_have_text("餐饮服务场所")
    assert_accessible(page)
    page.get_by_label("就餐场所面积").fill("80")
    page.get_by_label("就餐座位数").fill("40")
    page.get_by_label("加工制作场所面积").fill("30")
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("食品安全管理人员和从业人员")
    page.get_by_label("食品安全管理人员", exact=True).fill("李海燕")
    page.get_by_label("管理人员联系电话").fill("13806310002")
    page.get_by_label("姓名").fill("王师傅")
    page.get_by_label("健康证明编号").fill("JK-2026-0001")
    page.get_by_label("健康证明有效期至").fill("2027-06-30")
    page.get_by_role("button", name="再添加一条").click()
    expect(page.get_by_text("第 2 条")).to_be_visible()
    assert_fits_phone(page)
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "2-staff.png"), full_page=True)
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("上传申请材料")
    cards = page.locator("li.material")
    for index in range(cards.count()):
        card = cards.nth(index)
        if card.locator("input[type=file]").count():
            upload(page, card, f"material-{index + 1}.pdf")
    page.get_by_role("link", name="下一步：核对并提交").click()

    expect(heading(page)).to_have_text("核对您的申请")
    catering = page.locator("section.answers-page", has=page.get_by_role(
        "heading", name="餐饮服务场所"))
    expect(catering).to_contain_text("40 个")
    expect(catering.get_by_role("link", name=re.compile("^修改"))).to_have_attribute(
        "href", re.compile(r"/answers/catering/$"))
    expect(page.locator("section.answers-page").first).to_contain_text("来自营业执照")
    assert_fits_phone(page)
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "3-check.png"), full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/my/cases/[0-9A-Z]+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(number=number)
    assert case.answers["operator_type"] == "catering" and case.answers["seats"] == 40
    assert case.answers["staff"] == [{"staff_name": "王师傅",
                                      "health_certificate_no": "JK-2026-0001",
                                      "health_certificate_valid_to": "2027-06-30"}]
    assert case.answer_sources["domicile"]["source"].startswith("licence:")
    assert case.answer_sources["operator_name"]["locked"] is True

    # The window clerk sees the answers as a table, with where the prefilled ones came from.
    desk = desk_page
    staff_login(desk)
    desk.goto("/staff/front-desk/")
    desk.get_by_role("link", name=number, exact=True).click()
    table = desk.locator("section.structured-answers")
    expect(table).to_contain_text("餐饮服务经营者")
    expect(table).to_contain_text("热食类食品制售")
    expect(table).to_contain_text("山东省威海市环翠区新威路 18 号")
    expect(table).to_contain_text("来自营业执照")
    expect(table.get_by_role("cell", name="王师傅")).to_be_visible()
    assert_accessible(desk)
    desk.screenshot(path=str(tmp_path / "4-staff-case.png"), full_page=True)
