"""Legal edges of the review: natural-day limits with suspensions, the Art. 42 extension's
ceiling and deadline, and 容缺 materials before an approval."""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import selectors, services
from onewindow.cases.errors import (
    DecisionInvalid,
    ExtensionTooLate,
    ExtensionTooLong,
    TolerancePending,
)
from onewindow.cases.services.review import allowed_extension_days
from onewindow.catalog.tests.factories import make_item
from onewindow.workflow.models import WorkItem

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


def ready(case):
    return list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                        status="READY").order_by("id"))


def accepted(world, item, day):
    case = submit_online(world, at(day), item=item)
    services.case_accept(actor=world.clerk, case=case, now=at(day))
    case.refresh_from_db()
    return case


@pytest.fixture
def natural_item(world, now):
    return make_item(organisation=world.dept, now=now, name="临时占道许可",
                     promised_limit_amount=5, promised_limit_unit="NATURAL_DAY",
                     legal_limit_amount=5, legal_limit_unit="NATURAL_DAY")


def test_a_natural_day_limit_moves_by_the_suspended_days_counted_from_the_start(
        world, natural_item):
    case = accepted(world, natural_item, "2026-11-02")  # Monday
    # 5 natural days end Sat 7 Nov, a rest day: due the next working day, Mon 9 Nov.
    assert case.promised_due_date == dt.date(2026, 11, 9)
    timing = selectors.case_timing(case, today=dt.date(2026, 11, 9))
    due_line = next(line for line in timing.explanation if line.date == dt.date(2026, 11, 9))
    assert due_line.kind != "OVERDUE"  # the due day itself is not late
    assert all(line.kind != "OVERDUE" for line in timing.explanation
               if line.date <= dt.date(2026, 11, 9))
    services.case_suspend(actor=world.handler, case=case, procedure="TESTING",
                          expected_days=3, reason="现场检测。", now=at("2026-11-03"))
    services.case_resume(actor=world.handler, case=case, note="检测完成", now=at("2026-11-06"))
    case.refresh_from_db()
    # 4, 5 and 6 Nov are suspended: 5 + 3 natural days from 2 Nov is Tue 10 Nov.
    assert case.promised_due_date == dt.date(2026, 11, 10)


def test_the_extension_is_capped_by_law_and_joint_handling_gets_fifteen_days(world, now):
    single = make_item(organisation=world.dept, now=now, name="单独办理事项")
    joint = make_item(organisation=world.dept, now=now, name="联合办理事项",
                      joint_departments="测试市公安局")
    assert allowed_extension_days(single.current_version) == 10
    assert allowed_extension_days(joint.current_version) == 15


def test_no_extension_once_the_legal_limit_has_run_out(world, now):
    item = make_item(organisation=world.dept, now=now, name="过期延期事项",
                     promised_limit_amount=5, legal_limit_amount=5)
    case = accepted(world, item, "2026-11-02")
    assert case.legal_due_date == dt.date(2026, 11, 9)
    with pytest.raises(ExtensionTooLate) as caught:
        services.case_extend_request(actor=world.handler, case=case, days=5, reason="来不及。",
                                     now=at("2026-11-20"))
    assert caught.value.code == "cases.extension-too-late"
    with pytest.raises(ExtensionTooLong):
        services.case_extend_request(actor=world.handler, case=case, days=11, reason="x",
                                     now=at("2026-11-06"))
    services.case_extend_request(actor=world.handler, case=case, days=5, reason="需核查。",
                                 now=at("2026-11-06"))
    with pytest.raises(ExtensionTooLate):  # the chief sat on it past the legal date
        services.case_extend_decide(actor=world.chief, case=case, approve=True,
                                    now=at("2026-11-10"))
    # Refusing late is still possible: it changes no date.
    services.case_extend_decide(actor=world.chief, case=case, approve=False,
                                now=at("2026-11-10"))


def test_no_approval_while_tolerated_materials_are_missing(world, now):
    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = case.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=5,
                         now=now)
    services.case_task_complete(actor=world.handler, work_item=ready(case)[0], opinion="通过",
                                now=now)
    [decide] = ready(case)
    with pytest.raises(TolerancePending) as caught:
        services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意",
                                    decision="approve", now=now)
    assert caught.value.code == "cases.tolerated-materials-pending"
    case.refresh_from_db()
    assert case.status == "IN_REVIEW" and ready(case) == [decide]  # nothing half-written


def test_a_review_step_gives_an_opinion_not_a_decision(world, now):
    item = make_item(organisation=world.dept, now=now, name="审查环节事项")
    case = accepted(world, item, "2026-11-02")
    [review] = ready(case)
    for decision in ("deny", "return", "approve"):
        with pytest.raises(DecisionInvalid) as caught:
            services.case_task_complete(actor=world.handler, work_item=review,
                                        opinion="意见", decision=decision,
                                        reasons="承办人认为不符合条件", now=at("2026-11-03"))
        assert caught.value.code == "cases.decision-invalid"
    services.case_task_complete(actor=world.handler, work_item=review, opinion="通过",
                                now=at("2026-11-03"))
    [decide] = ready(case)
    result = services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意",
                                         decision="approve", now=at("2026-11-03"))
    assert result.status == "APPROVED"
    # The applicant's timeline carries no step votes.
    for entry in selectors.timeline(case=result):
        if entry.kind in ("TASK_COMPLETE", "RETURN"):
            assert "decision" not in entry.details and "reasons" not in entry.details
