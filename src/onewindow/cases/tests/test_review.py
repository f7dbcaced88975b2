"""Cases II: the approval route of a case, opinions and decisions, 退回, joint review, an
uploaded Camunda route, decision documents and unified output (统一出件)."""

import base64
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from onewindow.cases import notices, selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import (
    CaseNotFound,
    DeliveryInvalid,
    IdentityNotChecked,
    InvalidTransition,
    ReasonRequired,
)
from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import InboxMessage, Role
from onewindow.identity.tests.factories import OrganisationFactory, StaffFactory, grant
from onewindow.workflow import services as workflow_services
from onewindow.workflow.errors import WorkItemNotFound
from onewindow.workflow.models import WorkItem

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "workflow" / "tests" / "fixtures"
SIGNATURE = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"),
                                     reason="poppler-utils is installed by make test")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "decision.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def ready(case, **filters):
    return list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                        status="READY", **filters).order_by("id"))


def accepted(world, now, item=None):
    case = submit_online(world, now, item=item)
    services.case_accept(actor=world.clerk, case=case, now=now)
    case.refresh_from_db()
    return case


# --- the default 承诺件 route --------------------------------------------------------------


@needs_pdftotext
def test_promise_item_review_then_chief_approves(world, now, tmp_path):
    case = accepted(world, now)
    assert case.status == CaseStatus.IN_REVIEW
    [review] = ready(case)
    assert (review.task_label, review.role, review.organisation) == (
        "审查", Role.HANDLER, world.dept)
    assert review.due_date == case.promised_due_date == dt.date(2026, 11, 30)
    # The chief cannot take the handler's step.
    with pytest.raises(WorkItemNotFound):
        services.case_task_complete(actor=world.chief, work_item=review, opinion="x", now=now)
    services.case_task_complete(actor=world.handler, work_item=review,
                                opinion="材料齐全，符合条件，建议准予。", now=now)
    [decide] = ready(case)
    assert decide.role == Role.CHIEF_REPRESENTATIVE and decide.task_label == "决定"
    result = services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意。",
                                         decision="approve", now=now)
    assert result.status == CaseStatus.APPROVED
    assert result.closed_at == now and result.decided_at == now
    # Art. 44: decided Mon 23 Nov → 10 working days → Mon 7 Dec.
    assert result.output_due_date == dt.date(2026, 12, 7)
    assert not ready(case)
    kinds = list(case.actions.order_by("seq").values_list("kind", flat=True))
    assert kinds[-6:] == ["ACCEPT", "ROUTE_START", "TASK_COMPLETE", "TASK_COMPLETE",
                          "APPROVE", "OUTPUT_READY"]
    opinions = selectors.case_opinions(result)
    assert [(o.step, o.actor_label, o.decision_label) for o in opinions] == [
        ("审查", "承办人", ""), ("决定", "首席代表", "准予")]
    text = pdf_text(notices.decision_pdf(result), tmp_path)
    assert result.number in text and "准予行政许可" in text and "第三十八条" in text
    assert "行政许可专用章" in text and world.dept.name in text  # issued by the department
    assert "行政复议" not in text


@needs_pdftotext
def test_denial_needs_reasons_and_states_remedies(world, now, tmp_path):
    case = accepted(world, now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="不符合",
                                now=now)
    [decide] = ready(case)
    before = case.actions.count()
    with pytest.raises(ReasonRequired) as exc:
        services.case_task_complete(actor=world.chief, work_item=decide, opinion="不同意",
                                    decision="deny", now=now)
    assert exc.value.code == "cases.reason-required"
    assert case.actions.count() == before and ready(case) == [decide]
    result = services.case_task_complete(
        actor=world.chief, work_item=decide, opinion="不同意", decision="deny",
        reasons="经营场所与食品安全要求不符。", now=now)
    assert result.status == CaseStatus.DENIED and result.closed_at == now
    text = pdf_text(notices.decision_pdf(result), tmp_path)
    assert "不予行政许可决定书" in text and "经营场所与食品安全要求不符" in text
    assert "行政复议" in text and "行政诉讼" in text and result.number in text


def test_chief_returns_the_case_and_history_is_kept(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    services.case_task_complete(actor=world.handler, work_item=review, opinion="初审通过",
                                now=now)
    [decide] = ready(case)
    with pytest.raises(ReasonRequired):
        services.case_return(actor=world.chief, work_item=decide, reason=" ", now=now)
    later = now + dt.timedelta(hours=1)
    result = services.case_return(actor=world.chief, work_item=decide,
                                  reason="请补充现场核查意见。", now=later)
    assert result.status == CaseStatus.IN_REVIEW
    [again] = ready(case)
    assert again.role == Role.HANDLER and again.task_label == "审查"
    assert again.returned_reason == "请补充现场核查意见。"
    history = WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk))
    assert sorted(history.values_list("task_label", "status")) == [
        ("决定", "RETURNED"), ("审查", "COMPLETED"), ("审查", "READY")]
    opinions = selectors.case_opinions(result)
    assert [(o.kind, o.opinion) for o in opinions] == [
        ("TASK_COMPLETE", "初审通过"), ("RETURN", "请补充现场核查意见。")]
    # The handler works it again; the chief then approves.
    services.case_task_complete(actor=world.handler, work_item=again, opinion="已核查",
                                now=later)
    done = services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                       opinion="同意", decision="approve", now=later)
    assert done.status == CaseStatus.APPROVED


def test_handler_of_another_department_cannot_see_or_complete_the_task(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    outsider = StaffFactory(organisation=world.other_dept)
    grant(outsider, Role.HANDLER, world.other_dept)
    with pytest.raises(WorkItemNotFound) as exc:
        services.case_task_complete(actor=outsider, work_item=review, opinion="x", now=now)
    assert exc.value.http_status == 404
    with pytest.raises(WorkItemNotFound):
        services.case_return(actor=outsider, work_item=review, reason="x", now=now)
    assert ready(case) == [review]


# --- joint review and an uploaded route ------------------------------------------------------


def test_joint_review_waits_for_both_departments_before_the_chief(world, now):
    police = OrganisationFactory(parent=world.city, name="测试市公安局")
    police_handler = StaffFactory(organisation=police)
    grant(police_handler, Role.HANDLER, police)
    item = make_item(organisation=world.dept, now=now, name="大型活动食品安全许可",
                     joint_departments="测试市公安局")
    case = accepted(world, now, item=item)
    items = {i.organisation: i for i in ready(case)}
    assert set(items) == {world.dept, police}
    # The police handler may read the other department's case to review it; another
    # police officer without a step on it may not.
    from onewindow.cases import permissions

    assert permissions.can_view_case(actor=police_handler, case=case)
    assert not permissions.can_view_case(actor=StaffFactory(organisation=police), case=case)
    services.case_task_complete(actor=world.handler, work_item=items[world.dept],
                                opinion="本局审查通过", now=now)
    # The chief has nothing yet: the police review is still open.
    assert [i.organisation for i in ready(case)] == [police]
    assert not ready(case, role=Role.CHIEF_REPRESENTATIVE)
    services.case_task_complete(actor=police_handler, work_item=items[police],
                                opinion="治安条件具备", now=now)
    [decide] = ready(case)
    assert decide.role == Role.CHIEF_REPRESENTATIVE
    result = services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意",
                                         decision="approve", now=now)
    assert result.status == CaseStatus.APPROVED
    assert {o.organisation for o in selectors.case_opinions(result)} >= {
        "测试市公安局", world.dept.name}


def test_uploaded_camunda_route_drives_the_case(world, now):
    xml = (FIXTURES / "camunda_two_lanes.bpmn").read_text(encoding="utf-8")
    route = workflow_services.route_upload(actor=None, version=world.item.current_version,
                                           bpmn_xml=xml, file_name="food.bpmn", now=now)
    case = accepted(world, now)
    started = case.actions.get(kind="ROUTE_START")
    assert started.data["route_id"] == route.pk and started.data["source"] == "UPLOADED"
    [review] = ready(case)
    assert review.task_name == "Activity_review"
    services.case_task_complete(actor=world.handler, work_item=review, opinion="通过", now=now)
    [decide] = ready(case)
    assert decide.task_name == "Activity_decide"
    # The modeler's exclusive gateway: "return" loops back to 审查 with the opinion.
    services.case_task_complete(actor=world.chief, work_item=decide, opinion="请补充说明",
                                decision="return", now=now)
    [review_again] = ready(case)
    assert review_again.task_name == "Activity_review"
    assert case.actions.order_by("-seq").first().kind == "RETURN"
    services.case_task_complete(actor=world.handler, work_item=review_again, opinion="已补充",
                                now=now)
    result = services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                         opinion="同意", decision="approve", now=now)
    assert result.status == CaseStatus.APPROVED


# --- 即办件 ----------------------------------------------------------------------------------


@needs_pdftotext
def test_instant_item_decided_at_the_window_gets_a_decision_document(world, now, tmp_path):
    grant(world.clerk, Role.WINDOW_CLERK, world.dept)
    from onewindow.identity.permissions import forget_scopes

    forget_scopes(world.clerk)
    case = walk_in(world, now, item=world.instant_item)
    result = services.case_decide_instant(actor=world.clerk, case=case, approve=True, now=now)
    assert result.status == CaseStatus.APPROVED and result.decided_at == now
    assert not result.workflow_state  # no route for 即办件
    text = pdf_text(notices.decision_pdf(result), tmp_path)
    assert result.number in text and "准予许可" in text and "当场" in text
    assert [r.number for r in selectors.output_queue(actor=world.clerk, today=now.date())] == [
        result.number]


# --- unified output ---------------------------------------------------------------------------


def approved(world, now):
    case = accepted(world, now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="通过",
                                now=now)
    return services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                       opinion="同意", decision="approve", now=now)


def test_pickup_needs_identity_check_and_signature(world, now):
    case = approved(world, now)
    [row] = selectors.output_queue(actor=world.clerk, today=now.date())
    assert row.number == case.number and row.decision == "APPROVED"
    assert row.output_due_date == dt.date(2026, 12, 7) and row.channel == "PICKUP"
    assert row.working_days_left == 10 and row.colour == "NORMAL"
    # Handlers of the department do not run the output window.
    with pytest.raises(CaseNotFound) as exc:
        services.case_hand_over(actor=world.handler, case=case, now=now,
                                recipient_name="张三", recipient_id_number="x", id_checked=True,
                                signature=SIGNATURE)
    assert exc.value.code == "cases.not-found"
    details = {"recipient_name": "张三", "recipient_id_number": "110101199003077777"}
    with pytest.raises(IdentityNotChecked) as exc:
        services.case_hand_over(actor=world.clerk, case=case, now=now,
                                id_checked=False, signature=SIGNATURE, **details)
    assert exc.value.code == "cases.identity-not-checked"
    with pytest.raises(DeliveryInvalid):
        services.case_hand_over(actor=world.clerk, case=case, now=now,
                                id_checked=True, signature="data:image/png;base64,AAAA",
                                **details)
    with pytest.raises(DeliveryInvalid):  # neither a drawn signature nor a paper receipt
        services.case_hand_over(actor=world.clerk, case=case, now=now,
                                id_checked=True, paper_receipt=False, **details)
    result = services.case_hand_over(actor=world.clerk, case=case, now=now,
                                     id_checked=True, signature=SIGNATURE, **details)
    assert result.status == CaseStatus.DELIVERED and result.delivered_at == now
    action = result.actions.order_by("-seq").first()
    assert action.kind == "HAND_OVER" and action.data["signature"] == SIGNATURE
    assert action.data["recipient_id_number"] != details["recipient_id_number"]  # masked
    assert selectors.output_queue(actor=world.clerk, today=now.date()) == []
    assert selectors.expected_of_applicant(case=result).summary == "已办结，办理结果已送达。"


def test_choosing_online_delivery_after_the_decision_publishes_the_result(world, now):
    case = approved(world, now)
    assert case.status == CaseStatus.APPROVED  # waiting at the output window (pickup)
    result = services.case_delivery_choose(actor=world.citizen, case=case,
                                           channel="ELECTRONIC", now=now)
    assert result.status == CaseStatus.DELIVERED and result.delivered_at == now
    assert selectors.output_queue(actor=world.clerk, today=now.date()) == []


def test_mail_dispatch_then_delivery(world, now):
    case = submit_online(world, now)
    with pytest.raises(DeliveryInvalid):
        services.case_delivery_choose(actor=world.citizen, case=case, channel="MAIL", now=now)
    services.case_delivery_choose(actor=world.citizen, case=case, channel="MAIL",
                                  address="测试市环翠区统一路 8 号", now=now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="通过",
                                now=now)
    services.case_task_complete(actor=world.chief, work_item=ready(case)[0], opinion="同意",
                                decision="approve", now=now)
    [row] = selectors.output_queue(actor=world.clerk, today=now.date())
    assert row.channel == "MAIL" and not row.mail_dispatched
    with pytest.raises(InvalidTransition):  # not dispatched yet
        services.case_mail_deliver(actor=world.clerk, case=case, now=now)
    services.case_mail_dispatch(actor=world.clerk, case=case, carrier="中国邮政 EMS",
                                tracking_number="1234567890123", now=now)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert selectors.output_queue(actor=world.clerk, today=now.date())[0].mail_dispatched
    with pytest.raises(InvalidTransition):  # the choice cannot change once it left
        services.case_delivery_choose(actor=world.citizen, case=case, channel="PICKUP",
                                      now=now)
    later = now + dt.timedelta(days=2)
    result = services.case_mail_deliver(actor=world.clerk, case=case, now=later)
    assert result.status == CaseStatus.DELIVERED and result.delivered_at == later
    dispatch = result.actions.get(kind="MAIL_DISPATCH")
    assert dispatch.data["address"] == "测试市环翠区统一路 8 号"
    assert dispatch.data["tracking_number"] == "1234567890123"


def test_electronic_choice_is_published_at_decision(world, now, django_capture_on_commit_callbacks):
    case = submit_online(world, now)
    services.case_delivery_choose(actor=world.citizen, case=case, channel="ELECTRONIC", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(actor=world.clerk, case=case, now=now)
        services.case_task_complete(actor=world.handler, work_item=ready(case)[0],
                                    opinion="通过", now=now)
        result = services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                             opinion="同意", decision="approve", now=now)
    assert result.status == CaseStatus.DELIVERED
    titles = set(InboxMessage.objects.filter(account=world.citizen)
                 .values_list("title", flat=True))
    assert {"申请已受理", "办理结果：准予许可", "办理结果已网上送达"} <= titles


def test_withdrawing_during_review_empties_the_worklists(world, now,
                                                         django_capture_on_commit_callbacks):
    case = accepted(world, now)
    assert ready(case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_withdraw(actor=world.citizen, case=case, reason="不再需要", now=now)
    assert not ready(case)
    assert WorkItem.objects.get(subject_id=str(case.pk)).status == "CANCELLED"
