"""One-window acceptance (Cases I) as people do it: a citizen applies on a phone, a
window clerk asks for corrections and accepts at a desk, the citizen downloads the
acceptance notice and anyone with the number and query code sees the progress (and
nothing personal); walk-in registration with and without 容缺. Along the way axe-core
finds no serious accessibility problem on the apply, my-case, front-desk, case-file and
walk-in pages (checked in the states people see them in, errors included)."""

import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from stdnum.cn import ric

from onewindow.cases.models import Case
from onewindow.testing import axe_violations
from onewindow.testing.files import pdf_bytes
from onewindow.web import demo
from onewindow.web.demo_forms import answer_sample
from onewindow.web.demo_items import load_demo_items

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOOD = "食品经营许可（新办）"
TOLERABLE = "经营场所使用证明（产权证明或租赁协议）"
CITIZEN = ("张晓明", "37100219900307002X", "13806310001")


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(name, page_text=name)}


def new_id_number(serial: int) -> str:
    body = f"37100219920515{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def demo_data():
    now = timezone.now()
    demo.load_identity(now=now)
    items = load_demo_items(now=now)
    return {i.current_version.name: i for i in items}


def _format(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
                     for v in violations)


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, _format(violations)


def assert_fits_phone(page):
    """Nothing scrolls sideways on a 375 px phone (case numbers are 40+ characters)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def citizen_login(page):
    page.goto("/login/")
    page.get_by_label("身份证号码、手机号码或用户名").fill("citizen1")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def staff_login(page, username="clerk1"):
    page.goto("/staff/login/")
    page.get_by_label("工作人员用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/")


def upload(page, card, filename: str):
    card.locator("input[type=file]").set_input_files(pdf_file(filename))
    card.get_by_role("button", name=re.compile("^上传")).click()
    expect(page.locator(".notice-list")).to_contain_text(filename)


def open_action(page, name: str):
    """Open the action panel whose summary reads exactly ``name``."""
    summary = page.locator("details.action-panel > summary").filter(
        has_text=re.compile(f"^{re.escape(name)}$"))
    summary.click()
    return summary.locator("..")


def test_apply_online_correct_accept_download_and_progress(phone_page, desk_page, browser,
                                                          live_server, demo_data):
    page = phone_page
    citizen_login(page)
    page.goto(f"/apply/{demo_data[FOOD].code}/")
    expect(page.get_by_text("第 1 步，共 5 步")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="下一步：填写申请表").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("填写申请表")
    assert page.get_by_label("联系人").input_value() == CITIZEN[0]  # prefilled from the account
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写申请内容")
    assert_accessible(page)  # the error summary and the messages next to the fields
    page.get_by_label("申请内容").fill("在环翠区开办一家面馆，经营热食类食品制售。")
    page.get_by_role("button", name="保存并继续").click()
    # The item's own form comes next (its pages are walked in test_structured_forms).
    expect(page.get_by_role("heading", level=1)).to_have_text("经营者信息")
    answer_by_service(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("上传申请材料")
    cards = page.locator("li.material")
    expect(cards).to_have_count(4)
    for index in range(4):
        upload(page, cards.nth(index), f"material-{index + 1}.pdf")
    assert_fits_phone(page)
    assert_accessible(page)
    page.get_by_role("link", name="下一步：核对并提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("核对您的申请")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/my/cases/[0-9A-Z]+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(number=number)
    expect(page.locator(".status-card")).to_contain_text("待受理")
    expect(page.locator(".status-card")).to_contain_text("还剩")

    # The clerk, at a desk in another browser context, asks for two corrections at once.
    desk = desk_page
    staff_login(desk)
    desk.goto("/staff/front-desk/")
    row = desk.get_by_role("row", name=re.compile(number))
    expect(row.locator(".deadline")).to_contain_text("正常")
    assert_accessible(desk)
    row.get_by_role("link", name=number, exact=True).click()
    open_action(desk, "受理")
    panel = open_action(desk, "一次性告知补正")
    assert_accessible(desk)  # the case file with two action panels open
    panel.get_by_label("食品经营许可申请书需补正").check()
    panel.get_by_label("食品经营许可申请书的问题").fill("申请书第二页缺少申请人签字")
    panel.get_by_label(f"{TOLERABLE}需补正").check()
    panel.get_by_label(f"{TOLERABLE}的问题").fill("租赁协议已过期，请提供有效期内的协议")
    panel.get_by_role("button", name="发出补正告知").click()
    expect(desk.locator(".case-head")).to_contain_text("待补正")

    # The citizen sees the list and supplies both.
    page.reload()
    todo = page.locator("#todo")
    expect(todo).to_contain_text("申请书第二页缺少申请人签字")
    expect(todo).to_contain_text("租赁协议已过期")
    assert_accessible(page)
    upload(page, todo.locator("li.material", has_text="食品经营许可申请书"), "signed.pdf")
    upload(page, page.locator("#todo li.material", has_text=TOLERABLE), "lease-2026.pdf")
    assert_fits_phone(page)
    page.get_by_role("button", name="提交补正材料").click()
    expect(page.locator(".status-card")).to_contain_text("待受理")

    desk.reload()
    open_action(desk, "受理").get_by_role("button", name="确认受理").click()
    # Accepted: the approval route starts at once (Cases II), so the case is in review.
    expect(desk.locator(".case-head")).to_contain_text("审查中")

    page.reload()
    expect(page.locator(".status-card")).to_contain_text("审查中")
    timeline = page.locator(".timeline").inner_text()
    for step in ("提交申请", "一次性告知补正", "补正材料", "受理"):
        assert step in timeline
    with page.expect_download() as download_info:
        page.get_by_role("link", name="受理通知书（PDF）").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"{FOOD}-{number}")
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", download.path(), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert number in text

    # Anyone with the number and the query code sees the status, nothing personal.
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN",
                                  base_url=live_server.url)
    public = context.new_page()
    public.goto("/progress/")
    public.get_by_label("办件编号").fill(number)
    public.get_by_label("查询码").fill(case.query_code)
    public.get_by_role("button", name="查询").click()
    expect(public.locator(".status-card")).to_contain_text("审查中")
    html = public.content()
    for personal in CITIZEN:
        assert personal not in html
    context.close()


def answer_by_service(page):
    """Answer the item's form of the draft the page is on (as the applicant), then go on
    to the materials."""
    draft_id = int(re.search(r"/apply/draft/(\d+)/", page.url).group(1))
    case = Case.objects.get(pk=draft_id)
    answer_sample(case, actor=case.created_by, now=timezone.now())
    page.goto(f"/apply/draft/{draft_id}/materials/")


def fill_food_form_at_window(desk, name: str):
    """The 食品经营许可 form on the walk-in page (a person without an enterprise: nothing
    to prefill from an enterprise or its licence)."""
    expect(desk.get_by_role("status").filter(has_text="专用申请表")).to_be_visible()
    desk.get_by_label("经营者名称").fill(f"{name}便利店")
    desk.get_by_label("社会信用代码", exact=True).fill("92371002MA3C8K6T2R")
    desk.get_by_label("法定代表人（负责人）").fill(name)
    desk.get_by_label("住所", exact=True).fill("山东省威海市环翠区海港路 8 号")
    desk.get_by_label("所在区县（行政区划代码）").fill("371002")
    desk.get_by_label("详细地址").fill("海港路 8 号")
    desk.get_by_label("经营场所面积").fill("40")
    desk.get_by_label("食品销售经营者").check()
    desk.get_by_label("散装食品销售").check()
    desk.get_by_role("group", name="是否通过网络经营").get_by_label("否").check()
    desk.get_by_label("食品安全管理人员", exact=True).fill(name)
    desk.get_by_label("管理人员联系电话").fill("13906318888")
    desk.get_by_label("姓名", exact=True).last.fill(name)
    desk.get_by_label("健康证明编号").fill("JK-2026-0101")
    desk.get_by_label("健康证明有效期至").fill("2027-06-30")


def _register_walk_in(desk, *, id_number: str, name: str, received: list[str],
                      check_accessibility: bool = False):
    desk.goto("/staff/walk-in/")
    desk.get_by_label("申请人身份证号码").fill(id_number)
    desk.get_by_role("button", name="查找申请人").click()
    expect(desk.locator("#applicant-match")).to_contain_text("尚未登记")
    if check_accessibility:
        assert_accessible(desk)
    desk.get_by_label("姓名").fill(name)
    desk.get_by_label("手机号码").fill("13906318888")
    desk.get_by_label("申请事项").select_option(label=f"{FOOD}（威海市市场监督管理局）")
    desk.get_by_label("申请内容").fill("开办社区便利店，销售预包装食品。")
    desk.get_by_role("button", name="登记并开始收件").click()
    fill_food_form_at_window(desk, name)
    if check_accessibility:
        assert_accessible(desk)  # the item's form on the same page
    desk.get_by_role("button", name="登记并开始收件").click()
    expect(desk.locator(".case-head")).to_contain_text("草稿")
    panel = open_action(desk, "收取纸质材料")
    for material in received:
        panel.get_by_label(material, exact=True).check()
    panel.get_by_role("button", name="记录收到的材料").click()
    expect(desk.locator(".notice-list")).to_contain_text("已记录收到的纸质材料")
    panel = open_action(desk, "代申请人提交")
    expect(panel.get_by_label(re.compile("帮办代办"))).to_be_checked()
    panel.get_by_role("button", name="确认提交").click()
    expect(desk.locator(".case-head")).to_contain_text("待受理")
    return desk.url.rstrip("/").rsplit("/", 1)[-1]


def test_walk_in_accept_with_tolerance_and_refusal_without(desk_page, demo_data):
    desk = desk_page
    staff_login(desk)
    number = _register_walk_in(
        desk, id_number=new_id_number(101), name="刘容缺",
        received=["食品经营许可申请书", "营业执照", "食品安全管理制度文本"],
        check_accessibility=True,
    )
    panel = open_action(desk, "上传扫描件")
    panel.get_by_label("材料").select_option(label="营业执照")
    panel.get_by_label("扫描件").set_input_files(pdf_file("licence-scan.pdf"))
    panel.get_by_role("button", name="上传扫描件").click()
    expect(desk.locator(".notice-list")).to_contain_text("扫描件已上传")

    panel = open_action(desk, "受理")
    panel.get_by_label(TOLERABLE).check()
    panel.get_by_label("补齐期限（工作日）").fill("10")
    panel.get_by_role("button", name="确认受理").click()
    expect(desk.locator(".case-head")).to_contain_text("审查中")
    expect(desk.locator(f"#material-{_material_id(number, TOLERABLE)}")).to_contain_text(
        "容缺待补")
    expect(desk.locator(".timeline")).to_contain_text(f"容缺受理：{TOLERABLE}")
    expect(desk.get_by_role("region", name="期限")).to_contain_text("容缺材料补齐期限")
    case = Case.objects.get(number=number)
    assert case.status == "IN_REVIEW" and case.proxy and case.tolerance_due_date

    # The second applicant lacks the business licence, which may not be tolerated.
    number = _register_walk_in(
        desk, id_number=new_id_number(102), name="陈缺照",
        received=["食品经营许可申请书", TOLERABLE, "食品安全管理制度文本"],
    )
    panel = open_action(desk, "受理")
    expect(panel).to_contain_text("营业执照（不可容缺）")
    panel.get_by_role("button", name="确认受理").click()
    alert = desk.get_by_role("alert")
    expect(alert).to_contain_text("必要材料不齐全：营业执照")
    assert_accessible(desk)
    expect(desk.locator(".case-head")).to_contain_text("待受理")
    assert Case.objects.get(number=number).status == "SUBMITTED"


def _material_id(number: str, name: str) -> int:
    return Case.objects.get(number=number).materials.get(name=name).pk
