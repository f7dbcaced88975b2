"""The approval pages through the Django test client: the route page of an item version
(download, upload, refusals with their message), the worklist (scope, colours, filters,
"more"), the task page (another department's handler gets 404, a stale page gets the
conflict message, a denial needs reasons), the time panel, the output window and the
applicant's delivery choice."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.identity.models import Role
from onewindow.identity.tests.factories import StaffFactory, grant
from onewindow.workdays import selectors as workdays
from onewindow.workflow.models import RouteDefinition

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "workflow" / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.reset_calendar_cache()
    yield
    workdays.reset_calendar_cache()


@pytest.fixture
def catalog_admin(world):
    admin = StaffFactory(organisation=world.city, display_name="事项管理员")
    grant(admin, Role.CATALOG_ADMIN, world.city)
    return admin


def _text(response) -> str:
    return response.content.decode()


def _bpmn(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(),
                              content_type="application/octet-stream")


def _route_url(item) -> str:
    return reverse("web:route", args=[item.code, item.current_version.number])


# --- the route page -----------------------------------------------------------------------------


def test_route_page_shows_the_default_route_and_downloads_it(client, world, catalog_admin):
    client.force_login(catalog_admin)
    page = client.get(_route_url(world.item))
    body = _text(page)
    assert page.status_code == 200
    assert "默认生成" in body and "承诺件" in body
    assert "承办人" in body and "首席代表" in body and "审查" in body and "决定" in body
    # The catalog's version page links here.
    version_page = client.get(reverse("web:catalog-item-version",
                                      args=[world.item.code, world.item.current_version.number]))
    assert _route_url(world.item) in _text(version_page)

    download = client.get(reverse("web:route-download",
                                  args=[world.item.code, world.item.current_version.number]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/bpmn+xml")
    assert ".bpmn" in download["Content-Disposition"]
    assert b"<bpmn:definitions" in download.content or b"definitions" in download.content[:400]


def test_route_upload_replaces_the_route_and_refusals_say_why(client, world, catalog_admin):
    client.force_login(catalog_admin)
    url = _route_url(world.item)

    refused = client.post(url, {"file": _bpmn("camunda_script_task.bpmn")})
    assert refused.status_code == 422
    body = _text(refused)
    assert "BPMN 文件未通过检查" in body and "脚本" in body
    assert 'href="#id_file"' in body  # the error summary links to the file field
    refused = client.post(url, {"file": _bpmn("camunda_unknown_lane.bpmn")})
    assert refused.status_code == 422 and "泳道" in _text(refused)
    not_bpmn = client.post(url, {"file": SimpleUploadedFile("notes.txt", b"hello")})
    assert not_bpmn.status_code == 422 and "请上传 .bpmn 或 .xml 文件" in _text(not_bpmn)
    assert not RouteDefinition.objects.filter(source="UPLOADED").exists()

    done = client.post(url, {"file": _bpmn("camunda_two_lanes.bpmn")})
    assert done.status_code == 302
    page = _text(client.get(url))
    assert "已上传审批路线" in page and "camunda_two_lanes.bpmn" in page
    assert "Process_food_licence" in page and ">上传<" in page


def test_a_route_upload_lists_every_problem_with_element_and_line(client, world,
                                                                 catalog_admin):
    client.force_login(catalog_admin)
    refused = client.post(_route_url(world.item),
                          {"file": _bpmn("camunda_several_problems.bpmn")})
    assert refused.status_code == 422
    body = _text(refused)
    assert "发现 3 处问题" in body
    problems = body.split('class="route-problems"')[1].split("</ol>")[0]
    assert problems.count("<li>") == 3
    for element_id, line in (("Activity_review", 22), ("Lane_0x4c5ek", 12),
                             ("Flow_1return", 56)):
        assert element_id in problems and f"第 {line} 行" in problems
    assert "taskListener" in problems and "局长办公室" in problems and "javascript" in problems
    assert not RouteDefinition.objects.filter(source="UPLOADED").exists()


def test_route_page_is_missing_outside_the_admins_scope(client, world):
    outsider = StaffFactory(organisation=world.other_city)
    grant(outsider, Role.CATALOG_ADMIN, world.other_city)
    client.force_login(outsider)
    assert client.get(_route_url(world.item)).status_code == 404
    client.force_login(world.handler)  # not a catalog admin at all
    assert client.get(_route_url(world.item)).status_code == 404


# --- the worklist and the task page --------------------------------------------------------------


def _accepted(world, now):
    """A 承诺件 applied for online and accepted: its review step is in the handler's list."""
    from onewindow.cases import services
    from onewindow.cases.tests.factories import submit_online

    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    case.refresh_from_db()
    return case


def _ready_item(case, role: str):
    from onewindow.workflow.models import WorkItem

    return WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk), status="READY",
                                role=role)


def test_worklist_lists_the_handlers_tasks_with_deadline_words(client, world, now):
    case = _accepted(world, now)
    assert case.status == "IN_REVIEW"
    client.force_login(world.handler)
    page = client.get(reverse("web:worklist"))
    body = _text(page)
    assert page.status_code == 200
    assert case.number[-12:] in body and "审查" in body
    item = _ready_item(case, "HANDLER")
    assert reverse("web:task", args=[item.pk]) in body
    assert re.search(r'class="deadline deadline-(normal|due-soon)">(正常|临近期限) · 剩', body)
    # Filters stay in the URL; an overdue-only list has nothing.
    overdue = _text(client.get(reverse("web:worklist"), {"deadline": "OVERDUE"}))
    assert "没有待办任务" in overdue
    assert 'value="OVERDUE" selected' in overdue
    # A step past its deadline is red and says so in words, and the filter finds it.
    from onewindow.workflow.models import WorkItem

    # now is Monday 2026-11-23: the Thursday before is two working days ago.
    WorkItem.objects.filter(pk=item.pk).update(due_date=dt.date(2026, 11, 19))
    overdue = _text(client.get(reverse("web:worklist"), {"deadline": "OVERDUE"}))
    assert re.search(r'class="deadline deadline-overdue">已超期 · 逾期 2 个工作日', overdue)
    # The chief has nothing yet; a supervisor has no worklist at all.
    client.force_login(world.chief)
    assert "没有待办任务" in _text(client.get(reverse("web:worklist")))
    client.force_login(world.supervisor)
    assert client.get(reverse("web:worklist")).status_code == 404


def test_worklist_pages_with_more(client, world, now, monkeypatch):
    from onewindow.cases import services
    from onewindow.cases.tests.factories import submit_online

    for index in range(3):
        case = submit_online(world, now, key=f"more-{index}")
        services.case_accept(actor=world.clerk, case=case, now=now)
    monkeypatch.setattr("onewindow.web.views.worklist.PAGE", 2)
    client.force_login(world.handler)
    first = _text(client.get(reverse("web:worklist")))
    assert first.count('class="button button-small"') == 2
    more = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next">更多待办', first).group(1)
    second = _text(client.get(reverse("web:worklist") + more.replace("&amp;", "&")))
    assert second.count('class="button button-small"') == 1 and "回到第一页" in second
    # An edited cursor starts again from the first page.
    broken = client.get(reverse("web:worklist"), {"cursor": "not-a-cursor"})
    assert broken.status_code == 302 and "cursor" not in broken.url


def test_another_departments_handler_gets_404_on_the_task(client, world, now):
    case = _accepted(world, now)
    item = _ready_item(case, "HANDLER")
    stranger = StaffFactory(organisation=world.other_dept)
    grant(stranger, Role.HANDLER, world.other_dept)
    client.force_login(stranger)
    assert client.get(reverse("web:task", args=[item.pk])).status_code == 404
    posted = client.post(reverse("web:task-opinion", args=[item.pk]),
                         {"stance": "agree", "opinion": "同意",
                          "expected_version": case.lock_version})
    assert posted.status_code == 404
    assert case.number not in _text(client.get(reverse("web:worklist")))
    # The chief of the same department may not do the handler's step either.
    client.force_login(world.chief)
    assert client.get(reverse("web:task", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == "READY"


def test_review_then_decision_with_reasons_and_a_stale_page(client, world, now):
    case = _accepted(world, now)
    item = _ready_item(case, "HANDLER")
    client.force_login(world.handler)
    page = _text(client.get(reverse("web:task", args=[item.pk])))
    assert "提交审查意见" in page and "办理时限" in page and "承诺办结日期" in page
    # The applicant's ID number is masked on the task page; a handler, whose role may
    # see personal data, reveals it on purpose.
    visible = re.sub(r'<details class="reveal">.*?</details>', "", page, flags=re.S)
    id_number = case.applicant_person.id_number
    assert id_number not in visible and f"{id_number[:4]}**********{id_number[-4:]}" in visible
    stale = case.lock_version

    empty = client.post(reverse("web:task-opinion", args=[item.pk]),
                        {"stance": "agree", "opinion": "", "expected_version": stale})
    assert empty.status_code == 422 and "请填写审查意见" in _text(empty)
    # 拟不同意 and 退回 need their reasons; nothing is written without them.
    for stance in ("disagree", "return", ""):
        refused = client.post(reverse("web:task-opinion", args=[item.pk]),
                              {"stance": stance, "opinion": "x", "expected_version": stale})
        assert refused.status_code == 422
        assert ("拟不同意或退回须写明理由" if stance else "请选择拟同意、拟不同意或退回") in (
            _text(refused))
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.status == "READY" and case.lock_version == stale
    done = client.post(reverse("web:task-opinion", args=[item.pk]),
                       {"stance": "agree", "opinion": "材料齐全，建议准予。",
                        "expected_version": stale})
    assert done.status_code == 302 and done.url == reverse("web:worklist")

    decide = _ready_item(case, "CHIEF_REPRESENTATIVE")
    client.force_login(world.chief)
    page = _text(client.get(reverse("web:task", args=[decide.pk])))
    assert "材料齐全，建议准予。" in page and "作出决定" in page and "拟同意" in page
    # The page the chief opened earlier is stale once someone else acted.
    conflict = client.post(reverse("web:task-decision", args=[decide.pk]),
                           {"decision": "approve", "opinion": "同意", "confirm": "yes",
                            "expected_version": stale})
    assert conflict.status_code == 409 and "请刷新页面" in _text(conflict)
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"
    # A denial needs reasons; the remedies are shown with the choice.
    no_reasons = client.post(reverse("web:task-decision", args=[decide.pk]),
                             {"decision": "deny", "opinion": "不同意",
                              "expected_version": case.lock_version})
    assert no_reasons.status_code == 422
    body = _text(no_reasons)
    assert "不予许可须写明理由" in body and "行政复议" in body
    denied = client.post(reverse("web:task-decision", args=[decide.pk]),
                         {"decision": "deny", "opinion": "不同意", "confirm": "yes",
                          "reasons": "经营场所与申请的经营项目不符。",
                          "expected_version": case.lock_version})
    assert denied.status_code == 302
    case.refresh_from_db()
    assert case.status == "DENIED"
    staff_page = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert "办结和送达" in staff_page and "不予许可" in staff_page


def test_chief_sends_back_and_the_handler_sees_the_reason(client, world, now):
    case = _accepted(world, now)
    client.force_login(world.handler)
    client.post(reverse("web:task-opinion", args=[_ready_item(case, "HANDLER").pk]),
                {"stance": "agree", "opinion": "建议准予。"})
    decide = _ready_item(case, "CHIEF_REPRESENTATIVE")
    client.force_login(world.chief)
    back = client.post(reverse("web:task-decision", args=[decide.pk]),
                       {"decision": "return", "opinion": "请核实经营场所面积。"})
    assert back.status_code == 302
    again = _ready_item(case, "HANDLER")
    client.force_login(world.handler)
    page = _text(client.get(reverse("web:task", args=[again.pk])))
    assert "被退回" in page and "请核实经营场所面积。" in page
    assert "被退回" in _text(client.get(reverse("web:worklist")))


def test_suspend_resume_and_extension_from_the_task_page(client, world, now):
    case = _accepted(world, now)
    item = _ready_item(case, "HANDLER")
    client.force_login(world.handler)
    url = reverse("web:task", args=[item.pk])
    bad = client.post(reverse("web:task-suspend", args=[item.pk]),
                      {"procedure": "EXPERT_REVIEW", "expected_days": "0", "reason": ""})
    assert bad.status_code == 422
    assert "预计所需时间至少 1 个工作日" in _text(bad) and "请填写启动特别程序的理由" in _text(bad)
    ok = client.post(reverse("web:task-suspend", args=[item.pk]),
                     {"procedure": "EXPERT_REVIEW", "expected_days": "15",
                      "reason": "需组织专家评审经营场所布局。"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == "SUSPENDED"
    page = _text(client.get(url))
    assert "恢复计时" in page and "暂停计时" in page and "提交审查意见" not in page
    list_page = _text(client.get(reverse("web:worklist")))
    assert "deadline-suspended" in list_page and "暂停计时" in list_page
    assert client.post(reverse("web:task-resume", args=[item.pk]), {}).status_code == 302
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"

    too_long = client.post(reverse("web:task-extend", args=[item.pk]),
                           {"days": "30", "reason": "需补充现场核查。"})
    assert too_long.status_code == 422 and "延长期限应为 1–10 个工作日" in _text(too_long)
    asked = client.post(reverse("web:task-extend", args=[item.pk]),
                        {"days": "10", "reason": "需补充现场核查。"})
    assert asked.status_code == 302
    assert "待首席代表批准" in _text(client.get(url))
    # The chief decides the extension on the decision step once the review is done.
    client.post(reverse("web:task-opinion", args=[item.pk]),
                {"stance": "agree", "opinion": "建议准予。"})
    decide = _ready_item(case, "CHIEF_REPRESENTATIVE")
    client.force_login(world.chief)
    before = _promised_due(case)
    page = _text(client.get(reverse("web:task", args=[decide.pk])))
    assert "审批延期申请" in page
    approved = client.post(reverse("web:task-extend-decide", args=[decide.pk]),
                           {"approve": "yes", "note": "同意延期。"})
    assert approved.status_code == 302
    case.refresh_from_db()
    assert workdays.working_days_between(before, case.promised_due_date) == 10
    assert "已批准延期 10 个工作日" in _text(client.get(reverse("web:task", args=[decide.pk])))


def _promised_due(case):
    case.refresh_from_db()
    return case.promised_due_date


# --- the output window and the applicant ----------------------------------------------------------

SIGNATURE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")


def _approved(world, now):
    from onewindow.cases import services

    case = _accepted(world, now)
    services.case_task_complete(actor=world.handler, work_item=_ready_item(case, "HANDLER"),
                                opinion="建议准予。", now=now)
    services.case_task_complete(actor=world.chief,
                                work_item=_ready_item(case, "CHIEF_REPRESENTATIVE"),
                                opinion="同意。", decision="approve", now=now)
    case.refresh_from_db()
    assert case.status == "APPROVED"
    return case


def test_output_queue_shows_the_art_44_clock_and_the_hand_over_needs_id_and_signature(
        client, world, now):
    case = _approved(world, now)
    client.force_login(world.clerk)
    queue = _text(client.get(reverse("web:output-queue")))
    assert case.number[-12:] in queue and "准予许可" in queue
    assert case.output_due_date.strftime("%Y-%m-%d") in queue
    assert workdays.working_days_between(now.date(), case.output_due_date) == 10
    assert re.search(r'class="deadline deadline-normal">正常 · 还剩 10 个工作日', queue)
    page = _text(client.get(reverse("web:output-case", args=[case.number])))
    assert "窗口当面交付" in page and "signature-pad.js" in page
    assert case.applicant_person.id_number not in page

    url = reverse("web:output-hand-over", args=[case.number])
    missing = client.post(url, {"recipient_name": "张三",
                                "recipient_id_number": case.applicant_person.id_number,
                                "expected_version": case.lock_version})
    assert missing.status_code == 422
    body = _text(missing)
    assert "请核验领取人的身份证件后勾选" in body and "请让领取人在签名板上签名" in body
    assert 'href="#signature-canvas"' in body
    bad_id = client.post(url, {"recipient_name": "张三", "recipient_id_number": "123",
                               "id_checked": "on", "signature": SIGNATURE})
    assert bad_id.status_code == 422
    done = client.post(url, {"recipient_name": "张三",
                             "recipient_id_number": case.applicant_person.id_number,
                             "id_checked": "on", "signature": SIGNATURE,
                             "expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "DELIVERED"
    assert case.number not in _text(client.get(reverse("web:output-queue")))
    # The handler has no output window.
    client.force_login(world.handler)
    assert client.get(reverse("web:output-queue")).status_code == 404
    assert client.get(reverse("web:output-case", args=[case.number])).status_code == 404

    # The applicant sees 办结, the delivery and the decision to download.
    client.force_login(world.citizen)
    mine = _text(client.get(reverse("web:my-case", args=[case.number])))
    assert "已办结" in mine and "已在统一出件窗口当面领取" in mine
    # The title is marked as Chinese (the document is), so read the words without tags.
    words = re.sub(r"<[^>]+>", "", mine)
    assert "下载准予行政许可决定书" in words or "下载行政许可决定书" in words
    assert "办理结果怎么给您" not in mine  # nothing left to choose


def test_a_recipient_who_cannot_use_the_pad_signs_a_paper_receipt(client, world, now):
    case = _approved(world, now)
    client.force_login(world.clerk)
    done = client.post(reverse("web:output-hand-over", args=[case.number]), {
        "recipient_name": "张三", "recipient_id_number": case.applicant_person.id_number,
        "id_checked": "on", "paper_receipt": "on", "expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "DELIVERED"
    hand_over = case.actions.get(kind="HAND_OVER")
    assert hand_over.data["paper_receipt"] is True and hand_over.data["signature"] == ""


def test_mail_dispatch_then_delivered(client, world, now):
    case = _approved(world, now)
    client.force_login(world.clerk)
    url = reverse("web:output-mail", args=[case.number])
    empty = client.post(url, {"address": "", "carrier": "", "tracking_number": ""})
    assert empty.status_code == 422 and "请填写运单号" in _text(empty)
    sent = client.post(url, {"address": "山东省威海市环翠区新威路 18 号", "carrier": "中国邮政 EMS",
                             "tracking_number": "EA123456789CN"})
    assert sent.status_code == 302
    page = _text(client.get(reverse("web:output-case", args=[case.number])))
    assert "邮件已签收" in page and "窗口当面交付" not in page
    assert "运单号 EA123456789CN" in page and "中国邮政 EMS" in page  # the clerk checks it
    client.force_login(world.citizen)
    assert "EA123456789CN" in _text(client.get(reverse("web:my-case", args=[case.number])))
    client.force_login(world.clerk)
    assert client.post(reverse("web:output-mail-delivered", args=[case.number]),
                       {}).status_code == 302
    case.refresh_from_db()
    assert case.status == "DELIVERED"


def test_applicant_chooses_mail_with_an_address(client, world, now):
    case = _accepted(world, now)
    client.force_login(world.citizen)
    page = _text(client.get(reverse("web:my-case", args=[case.number])))
    assert "办理结果怎么给您" in page and "办理时限" in page
    url = reverse("web:my-case-delivery", args=[case.number])
    refused = client.post(url, {"channel": "MAIL", "address": ""})
    assert refused.status_code == 422 and "选择邮寄送达时请填写邮寄地址" in _text(refused)
    saved = client.post(url, {"channel": "MAIL", "address": "山东省威海市环翠区新威路 18 号"})
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.delivery_channel == "MAIL"
    assert "新威路 18 号" in case.delivery_address
    # Someone else's case is missing.
    other = StaffFactory()
    client.force_login(other)
    assert client.post(url, {"channel": "PICKUP"}).status_code == 404


def test_chief_decides_an_extension_from_the_case_page_while_the_handler_has_the_step(
        client, world, now):
    case = _accepted(world, now)
    item = _ready_item(case, "HANDLER")
    client.force_login(world.handler)
    client.post(reverse("web:task-extend", args=[item.pk]),
                {"days": "5", "reason": "需补充现场核查。"})
    before = _promised_due(case)
    client.force_login(world.chief)
    # The chief learns of the request on the worklist, with a link to the case.
    worklist = _text(client.get(reverse("web:worklist")))
    assert "待审批的延期申请（1 件）" in worklist and "需补充现场核查。" in worklist
    assert reverse("web:staff-case", args=[case.number]) in worklist
    page = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert "审批延期申请" in page and "申请延期 5 个工作日" in page
    # The panel posts to the case page itself (``do`` names the action).
    assert 'name="do" value="extend_decide"' in page
    missing = client.post(reverse("web:staff-case-extend-decide", args=[case.number]), {})
    assert missing.status_code == 422 and "请选择批准或不批准" in _text(missing)
    refused = client.post(reverse("web:staff-case-extend-decide", args=[case.number]),
                          {"approve": "no", "note": "时间足够。"})
    assert refused.status_code == 302
    assert _promised_due(case) == before  # a refused extension changes nothing
    assert "待审批的延期申请" not in _text(client.get(reverse("web:worklist")))
    assert "未获批准" in _text(client.get(reverse("web:staff-case", args=[case.number])))
    # A handler of another department cannot reach the case-level actions.
    stranger = StaffFactory(organisation=world.other_dept)
    grant(stranger, Role.HANDLER, world.other_dept)
    client.force_login(stranger)
    assert client.post(reverse("web:staff-case-suspend", args=[case.number]),
                       {"procedure": "TESTING", "expected_days": "3",
                        "reason": "检测"}).status_code == 404


def test_every_element_id_on_the_case_and_task_pages_is_unique(client, world, now):
    import collections

    case = _accepted(world, now)
    item = _ready_item(case, "HANDLER")
    client.force_login(world.handler)
    for url in (reverse("web:task", args=[item.pk]),
                reverse("web:staff-case", args=[case.number])):
        ids = re.findall(r'\sid="([^"]+)"', _text(client.get(url)))
        repeated = [i for i, n in collections.Counter(ids).items() if n > 1]
        assert repeated == [], url
    # An empty suspension form's error link leads to the suspension's own field.
    empty = client.post(reverse("web:task-suspend", args=[item.pk]), {})
    assert 'href="#id_suspend_reason"' in _text(empty)


def test_the_output_queue_pages_and_counts_everything_waiting(client, world, now,
                                                              monkeypatch):
    from onewindow.web.views import output_window

    monkeypatch.setattr(output_window, "QUEUE_PAGE", 2)
    cases = [_approved(world, now) for _ in range(3)]
    client.force_login(world.clerk)
    first = _text(client.get(reverse("web:output-queue")))
    assert "待出件共 3 件（本页 2 件）" in first
    more = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', first).group(1)
    second = _text(client.get(reverse("web:output-queue") + more.replace("&amp;", "&")))
    shown = [c.number for c in cases if c.number[-12:] in first or c.number[-12:] in second]
    assert len(shown) == 3 and "回到第一页" in second
    stale = client.get(reverse("web:output-queue"), {"cursor": "zz"})
    assert stale.status_code == 302
