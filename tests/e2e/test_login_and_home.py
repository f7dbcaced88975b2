"""Each demo account logs in through the real pages and sees a home page for its role;
the login and home pages have no serious accessibility problems."""

import pytest
from django.utils import timezone

from onewindow.testing import axe_violations
from onewindow.web import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data():
    demo.load_identity(now=timezone.now())


def _format(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in violations)


def test_citizen_logs_in_on_a_phone_and_sees_masked_identity_only_for_others(phone_page,
                                                                               demo_data):
    page = phone_page
    page.goto("/login/")
    assert page.title().startswith("个人和企业登录")
    violations = axe_violations(page)
    assert not violations, _format(violations)

    page.get_by_label("身份证号码、手机号码或用户名").fill("37100219900307002X")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "张晓明，您好"
    # Her own numbers are masked on her home page (UI rule: masked where not needed) …
    assert "3710**********002X" in page.content()
    assert "37100219900307002X" not in page.content()
    violations = axe_violations(page)
    assert not violations, _format(violations)
    # … and shown in full on her account page when she asks.
    page.goto("/account/")
    assert "37100219900307002X" not in page.content()
    page.get_by_role("link", name="显示完整的身份证号码和手机号码").click()
    assert "37100219900307002X" in page.content() and "13806310001" in page.content()


def test_wrong_password_shows_an_error_summary_and_keeps_the_input(phone_page, demo_data):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("身份证号码、手机号码或用户名").fill("citizen1")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    assert "账号或密码不正确" in alert.inner_text()
    assert page.get_by_label("身份证号码、手机号码或用户名").input_value() == "citizen1"


def test_agent_sees_the_enterprises_it_may_act_for(phone_page, demo_data):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("身份证号码、手机号码或用户名").fill("agent1")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert "威海海纳科技有限公司" in page.get_by_role("main").inner_text()


@pytest.mark.parametrize(
    ("username", "role_label", "organisation"),
    [
        ("clerk1", "综合受理", "威海市政务服务中心"),
        ("handler1", "承办人", "威海市市场监督管理局"),
        ("chief1", "首席代表", "威海市市场监督管理局"),
        ("supervisor1", "电子监察", "威海市人民政府"),
        ("catalogadmin1", "事项管理员", "威海市人民政府"),
        ("admin", "系统管理员", "威海市人民政府"),
    ],
)
def test_each_staff_account_sees_its_workbench(desk_page, demo_data, username, role_label,
                                               organisation):
    page = desk_page
    page.goto("/staff/login/")
    page.get_by_label("工作人员用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/")
    table = page.get_by_role("table").inner_text()
    assert role_label in table and organisation in table
    nav = page.get_by_role("navigation", name="工作台导航").inner_text()
    assert ("系统管理" in nav) == (username == "admin")
    if username == "clerk1":
        violations = axe_violations(page)
        assert not violations, _format(violations)


def test_staff_login_page_is_accessible(desk_page, demo_data):
    desk_page.goto("/staff/login/")
    violations = axe_violations(desk_page)
    assert not violations, _format(violations)


def test_english_is_available(phone_page, demo_data):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Log in: citizens and enterprises"
    assert page.get_by_label("ID number, mobile number or username").is_visible()
