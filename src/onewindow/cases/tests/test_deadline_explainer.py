"""The day-by-day explainer and the rules it explains: a suspension after a lapsed date,
the legal date beside the promised one, provisional statutory holidays (defects 4, 18).

Bundled 2026 calendar: National Day 1–7 Oct off, Sat 10 Oct a 调休 working day. No 2027
notice is loaded, so 1 Jan 2027 (元旦) is off by law and marked provisional.
"""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import selectors, services
from onewindow.cases.codes import ActionKind
from onewindow.cases.timing import DayLineKind
from onewindow.catalog.tests.factories import make_item
from onewindow.workdays.models import DeadlineState

from .factories import submit_online

pytestmark = pytest.mark.django_db

L = DayLineKind


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def accepted(world, now, day: str, *, promised: int, legal: int):
    item = make_item(organisation=world.dept, now=now, name="食品生产许可",
                     promised_limit_amount=promised, promised_limit_unit="WORKING_DAY",
                     legal_limit_amount=legal, legal_limit_unit="WORKING_DAY")
    case = submit_online(world, at(day), item=item)
    services.case_accept(actor=world.clerk, case=case, now=at(day))
    case.refresh_from_db()
    return case


def lines_by_date(timing):
    return {line.date: line for line in timing.explanation}


def test_a_suspension_after_the_promised_date_lapsed_moves_only_the_legal_date(world, now):
    # Accepted Mon 28 Sep. Promised 10 working days: 29–30 Sep (2), 8–10 Oct (5), 12–16 Oct
    # (10) → Fri 16 Oct. Legal 20 working days → Fri 30 Oct.
    case = accepted(world, now, "2026-09-28", promised=10, legal=20)
    assert (case.promised_due_date, case.legal_due_date) == (d("2026-10-16"), d("2026-10-30"))
    # Expert review from Tue 20 Oct (the promise had lapsed) to Fri 23 Oct: 21–23 Oct are
    # three suspended working days.
    services.case_suspend(actor=world.handler, case=case, procedure="EXPERT_REVIEW",
                          expected_days=3, reason="专家评审", now=at("2026-10-20"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-10-23"))
    case.refresh_from_db()
    assert case.promised_due_date == d("2026-10-16")  # it had lapsed: nothing to stop
    assert case.legal_due_date == d("2026-11-04")     # 30 Oct + 3 working days

    timing = selectors.case_timing(case, today=d("2026-10-26"))
    # Late by every working day since 16 Oct: 19, 20, 21, 22, 23, 26 Oct.
    assert timing.state == DeadlineState.OVERDUE and timing.working_days_left == -6
    lines = lines_by_date(timing)
    assert not [line for line in timing.explanation if line.kind == L.EXTENDED]
    assert lines[d("2026-10-19")].kind == L.OVERDUE
    assert "已超过承诺办结期限（仍在法定期限内）" in lines[d("2026-10-19")].label
    assert lines[d("2026-10-21")].kind == L.OVERDUE
    assert "法定期限暂停计时" in lines[d("2026-10-21")].label
    # The explanation runs on to the legal date and marks it.
    assert [line.date for line in timing.explanation if line.is_legal_due] == [d("2026-11-04")]
    assert "法定办结期限" in lines[d("2026-11-04")].label
    assert [line.date for line in timing.explanation if line.is_due] == [d("2026-10-16")]
    assert "承诺办结期限" in lines[d("2026-10-16")].label


def test_a_suspension_after_both_dates_lapsed_moves_neither(world, now):
    case = accepted(world, now, "2026-09-28", promised=20, legal=20)
    assert case.promised_due_date == d("2026-10-30")
    # Testing from Wed 4 Nov to Mon 9 Nov: 5, 6, 9 Nov would have been suspended.
    services.case_suspend(actor=world.handler, case=case, procedure="TESTING",
                          expected_days=3, reason="送检", now=at("2026-11-04"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-11-09"))
    case.refresh_from_db()
    assert (case.promised_due_date, case.legal_due_date) == (d("2026-10-30"), d("2026-10-30"))
    # The timeline does not promise a move that did not happen.
    assert case.actions.get(kind=ActionKind.RESUME).data["dates_moved"] is False
    timing = selectors.case_timing(case, today=d("2026-11-10"))
    # 2, 3, 4, 5, 6, 9, 10 Nov: seven working days late, the procedure included.
    assert timing.working_days_left == -7
    kinds = {line.date: line.kind for line in timing.explanation}
    assert [kinds[d(f"2026-11-{n:02d}")] for n in (2, 5, 6, 9, 10)] == [L.OVERDUE] * 5
    assert not [line for line in timing.explanation if line.kind in (L.EXTENDED,
                                                                      L.SUSPENDED)]


def test_a_suspension_before_the_date_still_moves_it_and_no_day_is_called_extension(
        world, now):
    case = accepted(world, now, "2026-09-28", promised=20, legal=20)
    services.case_suspend(actor=world.handler, case=case, procedure="EXPERT_REVIEW",
                          expected_days=5, reason="专家评审", now=at("2026-10-12"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-10-16"))
    case.refresh_from_db()
    assert case.promised_due_date == d("2026-11-05")  # 13–16 Oct: four working days
    timing = selectors.case_timing(case, today=d("2026-11-05"))
    assert not [line for line in timing.explanation if line.kind == L.EXTENDED]
    assert lines_by_date(timing)[d("2026-11-05")].counted == 20


def test_the_legal_date_skips_new_year_before_the_2027_notice_and_says_so(world, now):
    # Accepted Fri 4 Dec 2026. Legal 20 working days: 7–11 Dec (5), 14–18 (10), 21–25
    # (15), 28–31 Dec (19); 1 Jan 2027 is 元旦 by law → Mon 4 Jan (20), not 1 Jan.
    case = accepted(world, now, "2026-12-04", promised=15, legal=20)
    assert case.promised_due_date == d("2026-12-25")
    assert case.legal_due_date == d("2027-01-04")
    assert case.deadlines_provisional  # the 调休 of 2027 is still unknown
    notice = case.actions.get(kind=ActionKind.ACCEPT).data["notice"]
    assert notice["legal_due_date"] == "2027-01-04"

    timing = selectors.case_timing(case, today=d("2026-12-07"))
    lines = lines_by_date(timing)
    new_year = lines[d("2027-01-01")]
    assert new_year.kind == L.HOLIDAY and new_year.holiday == "元旦" and new_year.provisional
    assert "元旦放假" in new_year.label and "放假通知未发布" in new_year.label
    assert lines[d("2027-01-04")].is_legal_due and "法定办结期限" in lines[d("2027-01-04")].label
    assert timing.explanation[-1].date == d("2027-01-04")


def test_a_natural_day_limit_carried_past_a_rest_day_is_not_an_extension(world, now):
    # 12 natural days from Mon 28 Sep end on Sat 10 Oct, a 调休 working day: no carry.
    # 5 natural days from Fri 2 Oct end on Wed 7 Oct (National Day) → Thu 8 Oct.
    item = make_item(organisation=world.dept, now=now, name="临时占道许可",
                     promised_limit_amount=5, promised_limit_unit="NATURAL_DAY",
                     legal_limit_amount=5, legal_limit_unit="NATURAL_DAY")
    case = submit_online(world, at("2026-09-30"), item=item)
    services.case_accept(actor=world.clerk, case=case, now=at("2026-10-02"))
    case.refresh_from_db()
    assert case.promised_due_date == d("2026-10-08")
    timing = selectors.case_timing(case, today=d("2026-10-03"))
    lines = lines_by_date(timing)
    assert lines[d("2026-10-07")].counted == 5
    assert lines[d("2026-10-08")].kind == L.CARRIED
    assert "顺延" in lines[d("2026-10-08")].label
    assert not [line for line in timing.explanation if line.kind == L.EXTENDED]
