"""What a decision and a suspension set off: the licence of issue 6 inside the approving
transaction, the written notices and the applicant's messages, and which opinions the
applicant's timeline shows."""

import shutil
import subprocess
from types import SimpleNamespace

import pytest

from onewindow.cases import notices, selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.services import licensing
from onewindow.catalog.tests.factories import make_item
from onewindow.common.errors import ValidationFailed
from onewindow.identity.models import InboxMessage, Role
from onewindow.identity.permissions import forget_scopes
from onewindow.identity.tests.factories import grant
from onewindow.workflow.models import WorkItem

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db


def ready(case):
    return list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                        status="READY").order_by("id"))


@pytest.fixture
def issued(monkeypatch):
    """Stands in for the licence library's issuing (tested in test_licensing.py): records
    each call and hands back a licence identifier."""
    calls = []

    def issue(*, case, actor, now):
        calls.append((case.number, case.status, actor))
        return SimpleNamespace(identifier=f"1.2.156.3005.2.TEST.{len(calls)}")

    monkeypatch.setattr(licensing, "issue_result_licence_inner", issue)
    return calls


def test_route_approval_issues_the_licence_in_the_same_transaction(world, now, issued):
    item = make_item(organisation=world.dept, now=now, name="食品经营许可（延续）",
                     result_name="食品经营许可证", result_licence_type="LIC-FOOD")
    case = submit_online(world, now, item=item)
    services.case_accept(actor=world.clerk, case=case, now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="通过",
                                now=now)
    result = services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                         opinion="同意", decision="approve", now=now)
    assert issued == [(case.number, CaseStatus.IN_REVIEW, world.chief)]
    approval = result.actions.get(kind="APPROVE")
    assert approval.data["licence"] == "1.2.156.3005.2.TEST.1"
    # An item without a licence type issues nothing; a denial never does.
    plain = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=plain, now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(plain)[0], opinion="通过",
                                now=now)
    services.case_task_complete(actor=world.chief, work_item=ready(plain)[0], opinion="同意",
                                decision="approve", now=now)
    assert len(issued) == 1


def test_instant_approval_issues_the_licence_too(world, now, issued):
    item = make_item(organisation=world.dept, now=now, name="个体工商户名称登记",
                     handling_type="1", legal_limit_amount=0, promised_limit_amount=0,
                     result_licence_type="LIC-NAME",
                     materials=[{"name": "申请书", "original_count": 1}])
    grant(world.clerk, Role.WINDOW_CLERK, world.dept)
    forget_scopes(world.clerk)
    case = walk_in(world, now, item=item)
    result = services.case_decide_instant(actor=world.clerk, case=case, approve=True, now=now)
    assert [number for number, _, _ in issued] == [case.number]
    assert result.actions.get(kind="APPROVE").data["licence"] == "1.2.156.3005.2.TEST.1"


def test_a_licence_that_cannot_be_issued_fails_the_approval(world, now, monkeypatch):
    def refuse(*, case, actor, now):
        raise ValidationFailed("证照类型未启用。", code="cases.result-licence-failed")

    monkeypatch.setattr(licensing, "issue_result_licence_inner", refuse)
    item = make_item(organisation=world.dept, now=now, result_licence_type="LIC-OFF")
    case = submit_online(world, now, item=item)
    services.case_accept(actor=world.clerk, case=case, now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="通过",
                                now=now)
    [decide] = ready(case)
    with pytest.raises(ValidationFailed) as exc:
        services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意",
                                    decision="approve", now=now)
    assert exc.value.code == "cases.result-licence-failed"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and ready(case) == [decide]
    assert not case.actions.filter(kind__in=["TASK_COMPLETE", "APPROVE"]).filter(
        data__task_label="决定").exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by make test")
def test_applicant_is_told_in_writing_about_suspension_and_extension(
    world, now, tmp_path, django_capture_on_commit_callbacks
):
    case = submit_online(world, now)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(actor=world.clerk, case=case, now=now)
        services.case_suspend(actor=world.handler, case=case, procedure="INSPECTION",
                              expected_days=7, reason="需对样品进行检验。", now=now)
        services.case_resume(actor=world.handler, case=case, now=now)
        services.case_extend_request(actor=world.handler, case=case, days=8,
                                     reason="检验结果需要复核", now=now)
        services.case_extend_decide(actor=world.chief, case=case, approve=True, now=now)
    titles = list(InboxMessage.objects.filter(account=world.citizen).order_by("id")
                  .values_list("title", flat=True))
    assert titles[-3:] == ["办件进入特别程序", "办件恢复计时", "办理期限延长"]
    body = InboxMessage.objects.get(account=world.citizen, title="办件进入特别程序").body
    assert "检验" in body and "7 个工作日" in body
    refs = {ref.title: ref for ref in selectors.notices_of(case=case)}
    path = tmp_path / "n.pdf"
    path.write_bytes(notices.render_notice(case=case, seq=refs["特别程序告知书"].seq).content)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    assert "第四十五条" in text and "7个工作日" in text and "需对样品进行检验" in text
    path.write_bytes(notices.render_notice(case=case, seq=refs["延长审批期限告知书"].seq).content)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    assert "第四十二条" in text and "检验结果需要复核" in text and "8个工作日" in text


def test_internal_opinions_stay_off_the_applicants_timeline(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0],
                                opinion="申请人曾有违规记录，需重点核查", now=now)
    entry = selectors.timeline(case=case)[-1]
    assert entry.kind == "TASK_COMPLETE" and entry.reason == ""
    assert "违规" not in repr(entry.details) and entry.details["task_label"] == "审查"
    assert selectors.case_opinions(case)[0].opinion == "申请人曾有违规记录，需重点核查"


def test_output_steps_are_notified(world, now, django_capture_on_commit_callbacks):
    signature = "data:image/png;base64,iVBORw0KGgoAAAAAAAAAAA=="
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_online(world, now)
        services.case_accept(actor=world.clerk, case=case, now=now)
        services.case_task_complete(actor=world.handler, work_item=ready(case)[0],
                                    opinion="通过", now=now)
        services.case_task_complete(actor=world.chief, work_item=ready(case)[0],
                                    opinion="同意", decision="approve", now=now)
        services.case_hand_over(actor=world.clerk, case=case, now=now,
                                recipient_name="张三", recipient_id_number="110101199003077777",
                                id_checked=True, signature=signature)
    titles = list(InboxMessage.objects.filter(account=world.citizen).order_by("id")
                  .values_list("title", flat=True))
    assert titles[-3:] == ["办理结果：准予许可", "请领取办理结果", "办理结果已送达"]
    ready_body = InboxMessage.objects.get(account=world.citizen, title="请领取办理结果").body
    assert world.centre.name in ready_body and case.number in ready_body
