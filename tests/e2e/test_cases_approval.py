"""The back half of a case (Cases II) as people do it: a 承诺件 that citizen1 applied for
is accepted by clerk1 at the front desk, handler1 reviews it from the worklist, chief1
approves it, the result shows up at the output window where clerk1 hands it over against
a signature drawn on the pad, and citizen1 sees 办结 on the phone and downloads the
decision. A 即办件 is decided on the spot at the window. axe-core finds no serious
problem on the worklist, the task page (with an error summary) and the output window."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.identity.models import Account
from onewindow.licences import exports as licence_exports
from onewindow.licences.models import Licence
from onewindow.testing.files import pdf_bytes
from onewindow.web import demo
from onewindow.web.demo_forms import answer_sample
from onewindow.web.demo_items import load_demo_items
from tests.e2e.test_cases_intake import (
    assert_accessible,
    assert_fits_phone,
    citizen_login,
    new_id_number,
    open_action,
    staff_login,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOOD = "食品经营许可（新办）"
INSTANT = "个体工商户设立登记"
# Screenshots of the issue 13 pages, kept for a person to look at after the run.
SHOTS = Path(tempfile.gettempdir()) / "inspect_shots"


def photo_png() -> bytes:
    """A small real PNG (a photo taken at the premises, for the record)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo_data():
    now = timezone.now()
    demo.load_identity(now=now)
    items = load_demo_items(now=now)
    return {i.current_version.name: i for i in items}


def apply_as_citizen1(item) -> str:
    """citizen1's online application with every required material (the apply pages
    themselves are driven in test_cases_intake)."""
    now = timezone.now()
    citizen = Account.objects.get(username="citizen1")
    draft = services.case_draft_save(
        actor=citizen, implementation_code=item.code, now=now,
        form_data={"contact_name": "张晓明", "contact_phone": "13806310001",
                   "application_content": "在环翠区开办一家面馆，经营热食类食品制售。"},
    )
    draft = answer_sample(draft, actor=citizen, now=now)  # the item's own form (ADR 0031)
    for material in draft.materials.filter(requirement="REQUIRED"):
        services.case_material_upload(actor=citizen, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name, page_text=material.name),
                                      filename="scan.pdf", now=now)
    case = services.case_submit(actor=citizen, case=draft, idempotency_key="e2e-approval",
                                now=now)
    return case.number


def nav(page, name: str):
    """Follow a link of the workbench navigation (the home page repeats them as tiles)."""
    page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=name).click()


def sign(page):
    """Draw a short signature on the pad with the mouse."""
    canvas = page.locator("canvas#signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 18, y + (12 if step % 2 else -12))
    page.mouse.up()
    expect(page.locator("[data-signature-status]")).to_have_text("已签名。")


def test_promise_item_from_acceptance_to_hand_over(desk_page, phone_page, browser,
                                                   live_server, demo_data):
    number = apply_as_citizen1(demo_data[FOOD])

    # clerk1 accepts at the front desk: the approval route starts.
    desk = desk_page
    staff_login(desk, "clerk1")
    desk.goto(f"/staff/cases/{number}/")
    open_action(desk, "受理").get_by_role("button", name="确认受理").click()
    expect(desk.locator(".case-head")).to_contain_text("审查中")

    # handler1 finds it in the worklist and gives an opinion.
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN",
                                  base_url=live_server.url)
    handler = context.new_page()
    handler.set_default_timeout(15_000)
    staff_login(handler, "handler1")
    nav(handler, "待办事项")
    row = handler.get_by_role("row", name=re.compile(number[-12:]))
    expect(row).to_contain_text("审查")
    expect(row.locator(".deadline")).to_contain_text(re.compile("正常|临近期限"))
    assert_accessible(handler)
    row.get_by_role("link", name=re.compile("^办理")).click()
    expect(handler.get_by_role("heading", level=1)).to_contain_text("审查")
    expect(handler.locator("#time-panel")).to_contain_text("承诺办结日期")
    handler.get_by_role("button", name="提交审查意见").click()  # empty: error summary
    expect(handler.get_by_role("alert")).to_contain_text("请选择拟同意、拟不同意或退回")
    assert_accessible(handler)
    handler.get_by_label("拟同意", exact=True).check()
    handler.get_by_label("审查意见").fill("材料齐全，经营场所符合要求，建议准予许可。")
    handler.get_by_role("button", name="提交审查意见").click()
    expect(handler.locator(".notice-list")).to_contain_text("审查意见已提交")

    # The item has a 现场核查 checklist: the same handler's next step is the inspection.
    row = handler.get_by_role("row", name=re.compile(number[-12:]))
    expect(row).to_contain_text("现场核查")
    row.get_by_role("link", name=re.compile("^办理")).click()
    expect(handler.get_by_role("heading", level=1)).to_contain_text("现场核查")
    handler.get_by_role("button", name="保存现场核查记录").click()  # nothing chosen yet
    expect(handler.get_by_role("alert")).to_contain_text("经营场所与申请材料一致")
    assert_accessible(handler)
    points = handler.locator("li.checklist-point")
    for index in range(points.count()):
        points.nth(index).get_by_label("符合", exact=True).check()
    equipment = points.nth(2)
    equipment.get_by_label("不符合", exact=True).check()
    equipment.get_by_label(re.compile("情况说明")).fill("缺少消毒柜，已当场要求整改。")
    points.nth(0).get_by_label(re.compile("现场照片")).set_input_files(
        {"name": "premises.png", "mimeType": "image/png", "buffer": photo_png()})
    handler.get_by_label("核查结论").fill("整改后基本符合要求。")
    handler.get_by_label("核查人员").fill("刘海、陈波")
    shot(handler, "inspection-form-desktop")
    handler.get_by_role("button", name="保存现场核查记录").click()
    expect(handler.locator(".notice-list")).to_contain_text("现场核查记录已保存")
    expect(handler.locator("#action-inspection")).to_contain_text("打印现场核查记录")
    handler.set_viewport_size({"width": 375, "height": 800})
    shot(handler, "inspection-saved-375")
    assert_fits_phone(handler)
    handler.set_viewport_size({"width": 1366, "height": 800})
    handler.get_by_label("拟同意", exact=True).check()
    handler.get_by_label("审查意见").fill("现场核查完毕，整改后符合条件。")
    handler.get_by_role("button", name="提交审查意见").click()
    expect(handler.locator(".notice-list")).to_contain_text("审查意见已提交")
    expect(handler.get_by_role("row", name=re.compile(number[-12:]))).to_have_count(0)
    context.close()

    # chief1 approves; the handler's opinion is on the page.
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN",
                                  base_url=live_server.url)
    chief = context.new_page()
    chief.set_default_timeout(15_000)
    staff_login(chief, "chief1")
    chief.goto("/staff/tasks/")
    chief.get_by_role("row", name=re.compile(number[-12:])).get_by_role(
        "link", name=re.compile("^办理")).click()
    expect(chief.locator(".opinion-list")).to_contain_text("建议准予许可")
    assert_accessible(chief)
    # The licence draft, filled from the answers; chief1 corrects 经营场所 with a reason.
    draft = chief.locator("#licence-draft")
    expect(draft).to_contain_text("山东省威海市环翠区新威路 18 号")  # the sample answers
    expect(draft).to_contain_text("热食类食品制售、自制饮品制售")
    draft.get_by_text("更正证照草稿").click()
    draft.get_by_label("更正字段").select_option(label="经营场所")
    draft.get_by_label("更正后的内容").fill("山东省威海市环翠区新威路 18-1 号")
    draft.get_by_role("button", name="保存更正").click()  # no reason: refused
    expect(chief.get_by_role("alert")).to_contain_text("请填写更正理由")
    draft = chief.locator("#licence-draft")
    draft.get_by_label("更正理由").fill("现场核查确认门牌号为 18-1 号。")
    draft.get_by_role("button", name="保存更正").click()
    expect(chief.locator(".notice-list")).to_contain_text("证照草稿已更正")
    expect(chief.locator("#licence-draft")).to_contain_text("已更正")
    shot(chief, "licence-draft-desktop")
    chief.set_viewport_size({"width": 375, "height": 800})
    shot(chief, "licence-draft-375")
    assert_fits_phone(chief)
    chief.set_viewport_size({"width": 1366, "height": 800})
    chief.get_by_label("准予许可").check()
    chief.get_by_label("审批意见").fill("同意准予许可。")
    chief.get_by_role("button", name="下一步：确认决定").click()
    # The decision's consequence is shown before it is made (UI.md).
    expect(chief.get_by_role("heading", name="确认准予许可？")).to_be_visible()
    expect(chief.locator(".consequence")).to_contain_text("准予行政许可决定书")
    assert_accessible(chief)
    chief.get_by_role("button", name="确认准予许可").click()
    expect(chief.locator(".notice-list")).to_contain_text("已作出决定")
    context.close()
    assert Case.objects.get(number=number).status == "APPROVED"
    # The issued licence's PDF carries the corrected 经营场所 and the answers' 经营项目.
    licence = Licence.objects.get(case_number=number)
    pdf = licence_exports.licence_pdf(licence=licence, now=timezone.now())
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "licence.pdf").write_bytes(pdf.content)
    licence_text = "".join(subprocess.run(
        ["pdftotext", "-layout", str(SHOTS / "licence.pdf"), "-"], capture_output=True,
        text=True, check=True).stdout.split())
    assert "经营场所山东省威海市环翠区新威路18-1号" in licence_text
    assert "经营项目热食类食品制售、自制饮品制售" in licence_text
    assert "主体业态餐饮服务经营者" in licence_text

    # The result is at clerk1's output window, with the Art. 44 clock; hand it over.
    nav(desk, "出件窗口")
    row = desk.get_by_role("row", name=re.compile(number[-12:]))
    expect(row).to_contain_text("准予")
    expect(row.locator(".deadline")).to_contain_text("还剩")
    assert_accessible(desk)
    row.get_by_role("link", name=re.compile("^出件")).click()
    panel = desk.locator("#action-hand_over")
    panel.get_by_label("领取人姓名").fill("张晓明")
    panel.get_by_label("领取人身份证号码").fill("37100219900307002X")
    panel.get_by_role("button", name="确认交付").click()  # no ID check, no signature yet
    alert = desk.get_by_role("alert")
    expect(alert).to_contain_text("请核验领取人的身份证件后勾选")
    expect(alert).to_contain_text("请让领取人在签名板上签名")
    assert_accessible(desk)
    panel = desk.locator("#action-hand_over")
    panel.get_by_label("已核验领取人身份证件原件").check()
    sign(desk)
    panel.get_by_role("button", name="确认交付").click()
    expect(desk.locator(".case-head")).to_contain_text("已送达")
    case = Case.objects.get(number=number)
    assert case.status == "DELIVERED" and case.delivered_at is not None
    hand_over = case.actions.get(kind="HAND_OVER")
    assert hand_over.data["signature"].startswith("data:image/png;base64,")

    # citizen1 sees 办结 on the phone and downloads the decision.
    page = phone_page
    citizen_login(page)
    page.goto(f"/my/cases/{number}/")
    status = page.locator(".status-card")
    expect(status).to_contain_text("办结")
    expect(status).to_contain_text("已送达")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("行政许可决定书")).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf") and number in download.suggested_filename
    text = subprocess.run(["pdftotext", download.path(), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert number in text and "准予" in text
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    page.get_by_text("为什么是这个日期？").click()  # the day-by-day explanation
    expect(page.locator(".day-lines")).to_contain_text("计第 1 个工作日")
    assert_fits_phone(page)
    assert_accessible(page)


def test_instant_item_is_decided_on_the_spot(desk_page, demo_data):
    desk = desk_page
    staff_login(desk, "clerk1")
    desk.goto("/staff/walk-in/")
    desk.get_by_label("申请人身份证号码").fill(new_id_number(201))
    desk.get_by_role("button", name="查找申请人").click()
    expect(desk.locator("#applicant-match")).to_contain_text("尚未登记")
    desk.get_by_label("姓名").fill("赵即办")
    desk.get_by_label("手机号码").fill("13906317777")
    desk.get_by_label("申请事项").select_option(label=f"{INSTANT}（威海市市场监督管理局）")
    desk.get_by_label("申请内容").fill("在鲸园街道开办个体便利店。")
    desk.get_by_role("button", name="登记并开始收件").click()
    # The item has its own form (ADR 0031): it appears on the same page; what the clerk
    # leaves empty (the operator's name, ID and phone) comes from the applicant's record.
    expect(desk.get_by_role("status").filter(has_text="专用申请表")).to_be_visible()
    desk.get_by_label("行业").select_option("F")
    desk.get_by_label("经营范围").fill("日用百货零售")
    desk.get_by_label("所在区县（行政区划代码）").fill("371002")
    desk.get_by_label("详细地址").fill("鲸园街道海港路 8 号")
    desk.get_by_label("资金数额").fill("30000")
    desk.get_by_label("从业人数").fill("2")
    desk.get_by_role("button", name="登记并开始收件").click()
    panel = open_action(desk, "收取纸质材料")
    for box in panel.locator("input[type=checkbox][name=material_ids]").all():
        box.check()
    panel.get_by_role("button", name="记录收到的材料").click()
    open_action(desk, "代申请人提交").get_by_role("button", name="确认提交").click()
    expect(desk.locator(".case-head")).to_contain_text("待受理")
    number = desk.url.rstrip("/").rsplit("/", 1)[-1]

    panel = open_action(desk, "即办件当场决定")
    panel.get_by_label("准予许可").check()
    panel.get_by_role("button", name="下一步：确认决定").click()
    desk.get_by_role("button", name="确认准予许可").click()
    expect(desk.locator(".case-head")).to_contain_text("准予许可")
    expect(desk.locator("#notices-title")).to_be_visible()
    case = Case.objects.get(number=number)
    assert case.status == "APPROVED" and case.closed_at is not None
    assert case.answers["operator_name"] == "赵即办" and case.answers["industry"] == "F"
    assert case.actions.filter(kind="APPROVE").exists()
    # Decided on the spot: no approval route, nothing in anyone's worklist.
    assert not case.workflow_state


FIXTURES = Path(__file__).resolve().parents[2] / "src/onewindow/workflow/tests/fixtures"


def test_catalog_admin_uploads_a_route_and_a_refused_one_says_why(desk_page, demo_data):
    item = demo_data[FOOD]
    desk = desk_page
    staff_login(desk, "catalogadmin1")
    desk.goto(f"/staff/catalog/{item.code}/versions/{item.current_version.number}/")
    desk.get_by_role("link", name="审批路线（BPMN 下载和上传）").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("审批路线")
    expect(desk.locator("table")).to_contain_text("首席代表")
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="下载 BPMN 文件").click()
    assert download_info.value.suggested_filename.endswith(".bpmn")

    desk.get_by_label("BPMN 文件").set_input_files(str(FIXTURES / "camunda_script_task.bpmn"))
    desk.get_by_role("button", name="检查并上传").click()
    expect(desk.get_by_role("alert")).to_contain_text("BPMN 文件未通过检查")
    assert_accessible(desk)
    desk.get_by_label("BPMN 文件").set_input_files(str(FIXTURES / "camunda_two_lanes.bpmn"))
    desk.get_by_role("button", name="检查并上传").click()
    expect(desk.locator(".notice-list")).to_contain_text("已上传审批路线")
    expect(desk.locator("main")).to_contain_text("camunda_two_lanes.bpmn")
