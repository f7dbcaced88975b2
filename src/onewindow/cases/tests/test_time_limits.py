"""Exact dates: a 20-working-day promise across National Day 2026, an Art. 45 suspension and
the Art. 42 extension, recomputed from the action log; the day-by-day explanation.

The bundled holiday data (workdays/data/holidays/2026.json, State Council notice 2025):
Mid-Autumn 25–27 Sep off (Fri–Sun), Sun 20 Sep a 调休 working day; National Day 1–7 Oct
off (Thu–Wed), Sat 10 Oct a 调休 working day.
"""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import (
    CaseNotFound,
    ExtensionAlreadyUsed,
    ExtensionPending,
    ExtensionTooLong,
    InvalidTransition,
    NoExtensionPending,
    SuspensionInvalid,
)
from onewindow.catalog.tests.factories import make_item
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


@pytest.fixture
def item(world, now):
    return make_item(organisation=world.dept, now=now, name="食品生产许可",
                     promised_limit_amount=20, promised_limit_unit="WORKING_DAY",
                     legal_limit_amount=20, legal_limit_unit="WORKING_DAY")


@pytest.fixture
def case(world, item):
    accepted_at = at("2026-09-28")
    case = submit_online(world, accepted_at, item=item)
    services.case_accept(actor=world.clerk, case=case, now=accepted_at)
    case.refresh_from_db()
    return case


def step_due(case):
    return WorkItem.objects.get(subject_id=str(case.pk), status="READY").due_date


def test_twenty_working_days_across_national_day(case):
    # Accepted Mon 28 Sep (the day itself is not counted). Counted: Tue 29 Sep (1),
    # Wed 30 Sep (2); 1–7 Oct National Day off; Thu 8 (3), Fri 9 (4), Sat 10 Oct 调休
    # (5); Sun 11 off; 12–16 Oct (6–10), 19–23 Oct (11–15), 26–30 Oct (16–20).
    assert case.promised_due_date == dt.date(2026, 10, 30)
    assert case.legal_due_date == dt.date(2026, 10, 30)
    assert step_due(case) == dt.date(2026, 10, 30)
    timing = selectors.case_timing(case, today=dt.date(2026, 10, 12))
    assert timing.working_days_used == 6 and timing.working_days_left == 14
    lines = {line.date: line for line in timing.explanation}
    assert lines[dt.date(2026, 10, 1)].kind == "HOLIDAY"
    assert lines[dt.date(2026, 10, 1)].holiday == "国庆节"
    assert "国庆节放假" in lines[dt.date(2026, 10, 1)].label
    assert lines[dt.date(2026, 10, 10)].kind == "ADJUSTED_WORKDAY"
    assert lines[dt.date(2026, 10, 10)].counted == 5
    assert "调休" in lines[dt.date(2026, 10, 10)].label
    assert lines[dt.date(2026, 10, 11)].kind == "WEEKEND"
    assert lines[dt.date(2026, 10, 30)].counted == 20 and lines[dt.date(2026, 10, 30)].is_due
    assert [line.date for line in timing.explanation if line.is_due] == [dt.date(2026, 10, 30)]


def test_expert_review_moves_the_due_date_by_the_suspended_working_days(world, case):
    with pytest.raises(SuspensionInvalid):
        services.case_suspend(actor=world.handler, case=case, procedure="LUNCH",
                              expected_days=15, reason="x", now=at("2026-10-12"))
    with pytest.raises(CaseNotFound):  # the window does not suspend review
        services.case_suspend(actor=world.clerk, case=case, procedure="EXPERT_REVIEW",
                              expected_days=15, reason="x", now=at("2026-10-12"))
    services.case_suspend(actor=world.handler, case=case, procedure="EXPERT_REVIEW",
                          expected_days=15, reason="需组织专家对生产工艺进行评审。",
                          now=at("2026-10-12"))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    # While suspended the date assumes the expected 15 working days and is provisional.
    assert case.promised_due_date == dt.date(2026, 11, 20) and case.deadlines_provisional
    assert step_due(case) == dt.date(2026, 11, 20)
    with pytest.raises(InvalidTransition):  # no opinions while the clock is stopped
        services.case_task_complete(
            actor=world.handler, opinion="x", now=at("2026-10-13"),
            work_item=WorkItem.objects.get(subject_id=str(case.pk), status="READY"))
    notice = selectors.notices_of(case=case)[-1]
    assert notice.title == "特别程序告知书"
    # Resumed Mon 2 Nov: 13–16, 19–23, 26–30 Oct and 2 Nov are 15 working days suspended;
    # Fri 30 Oct + 15 working days = Fri 20 Nov.
    services.case_resume(actor=world.handler, case=case, note="专家评审结束",
                         now=at("2026-11-02"))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.promised_due_date == dt.date(2026, 11, 20)
    assert not case.deadlines_provisional
    assert case.actions.get(kind="RESUME").data["suspended_working_days"] == 15
    timing = selectors.case_timing(case, today=dt.date(2026, 11, 2))
    assert timing.working_days_suspended == 15 and timing.working_days_used == 6
    assert timing.working_days_left == 14
    assert [s.working_days for s in timing.suspensions] == [15]
    kinds = {line.date: line.kind for line in timing.explanation}
    assert kinds[dt.date(2026, 10, 13)] == "SUSPENDED" and kinds[dt.date(2026, 11, 2)] == (
        "SUSPENDED")
    assert kinds[dt.date(2026, 11, 3)] == "COUNTED"


def test_resuming_earlier_than_expected_moves_it_less(world, case):
    services.case_suspend(actor=world.handler, case=case, procedure="TESTING",
                          expected_days=15, reason="送检", now=at("2026-10-12"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-10-16"))
    case.refresh_from_db()
    # 13, 14, 15, 16 Oct suspended: four working days after 30 Oct is Thu 5 Nov.
    assert case.promised_due_date == dt.date(2026, 11, 5)


def test_extension_once_after_the_chief_approves(world, case):
    now = at("2026-10-20")
    with pytest.raises(ExtensionTooLong) as exc:
        services.case_extend_request(actor=world.handler, case=case, days=11,
                                     reason="情况复杂", now=now)
    assert exc.value.code == "cases.extension-too-long"
    with pytest.raises(NoExtensionPending):
        services.case_extend_decide(actor=world.chief, case=case, approve=True, now=now)
    services.case_extend_request(actor=world.handler, case=case, days=10,
                                 reason="需现场核查多个生产场所", now=now)
    with pytest.raises(ExtensionPending):
        services.case_extend_request(actor=world.handler, case=case, days=5, reason="x",
                                     now=now)
    with pytest.raises(CaseNotFound):  # only the chief representative approves
        services.case_extend_decide(actor=world.handler, case=case, approve=True, now=now)
    # A refusal changes nothing.
    services.case_extend_decide(actor=world.chief, case=case, approve=False,
                                note="可在期限内完成", now=now)
    case.refresh_from_db()
    assert case.promised_due_date == dt.date(2026, 10, 30)
    assert selectors.case_timing(case, today=now.date()).extension_state == "REFUSED"
    # Asked again and approved: Fri 30 Oct + 10 working days = Fri 13 Nov.
    services.case_extend_request(actor=world.handler, case=case, days=10,
                                 reason="需现场核查多个生产场所", now=now)
    services.case_extend_decide(actor=world.chief, case=case, approve=True, note="同意",
                                now=now)
    case.refresh_from_db()
    assert case.promised_due_date == dt.date(2026, 11, 13)
    assert case.legal_due_date == dt.date(2026, 11, 13)
    assert step_due(case) == dt.date(2026, 11, 13)
    assert selectors.notices_of(case=case)[-1].title == "延长审批期限告知书"
    timing = selectors.case_timing(case, today=now.date())
    assert timing.extension_state == "APPROVED" and timing.extension_days == 10
    extended = [line for line in timing.explanation if line.kind == "EXTENDED"]
    assert [line.date for line in extended][:1] == [dt.date(2026, 11, 2)]
    assert len(extended) == 10
    # Once per case (Art. 42).
    with pytest.raises(ExtensionAlreadyUsed) as exc:
        services.case_extend_request(actor=world.handler, case=case, days=5, reason="再延",
                                     now=now)
    assert exc.value.code == "cases.extension-already-used" and exc.value.http_status == 409


def test_suspension_and_extension_add_up(world, case):
    services.case_suspend(actor=world.handler, case=case, procedure="EXPERT_REVIEW",
                          expected_days=15, reason="专家评审", now=at("2026-10-12"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-11-02"))
    services.case_extend_request(actor=world.handler, case=case, days=10, reason="复杂",
                                 now=at("2026-11-03"))
    services.case_extend_decide(actor=world.chief, case=case, approve=True,
                                now=at("2026-11-03"))
    case.refresh_from_db()
    # Fri 20 Nov + 10 working days = Fri 4 Dec.
    assert case.promised_due_date == dt.date(2026, 12, 4)


def test_item_allowed_extension_limits_the_request(world, now):
    item = make_item(organisation=world.dept, now=now, name="药品经营许可",
                     special_procedures=[{"kind": "1", "name": "延长审批", "limit_amount": 5,
                                          "limit_unit": "WORKING_DAY", "basis": "条例"}])
    case = submit_online(world, now, item=item)
    services.case_accept(actor=world.clerk, case=case, now=now)
    with pytest.raises(ExtensionTooLong) as exc:
        services.case_extend_request(actor=world.handler, case=case, days=6, reason="x",
                                     now=now)
    assert exc.value.details["max_days"] == 5


def test_an_overdue_case_says_so_day_by_day(case):
    timing = selectors.case_timing(case, today=dt.date(2026, 11, 3))
    assert timing.state == "OVERDUE" and timing.working_days_left == -2
    tail = [(line.date, line.kind) for line in timing.explanation][-4:]
    assert tail == [(dt.date(2026, 10, 31), "WEEKEND"), (dt.date(2026, 11, 1), "WEEKEND"),
                    (dt.date(2026, 11, 2), "OVERDUE"), (dt.date(2026, 11, 3), "OVERDUE")]
