"""The deadline words on the pages: a suspension after the due date lapsed is not told as
a move of the date (defect 18)."""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import selectors, services
from onewindow.catalog.tests.factories import make_item
from onewindow.web.views.cases_timeline import timeline_rows
from onewindow.workdays import selectors as workdays

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.reset_calendar_cache()
    yield
    workdays.reset_calendar_cache()


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=10))


def test_the_timeline_does_not_move_a_lapsed_date(world, now):
    from onewindow.cases.tests.factories import submit_online

    item = make_item(organisation=world.dept, now=now, name="食品生产许可",
                     promised_limit_amount=20, promised_limit_unit="WORKING_DAY",
                     legal_limit_amount=20, legal_limit_unit="WORKING_DAY")
    case = submit_online(world, at("2026-09-28"), item=item)
    services.case_accept(actor=world.clerk, case=case, now=at("2026-09-28"))
    case.refresh_from_db()  # due Fri 30 Oct
    services.case_suspend(actor=world.handler, case=case, procedure="TESTING",
                          expected_days=3, reason="送检", now=at("2026-11-04"))
    services.case_resume(actor=world.handler, case=case, now=at("2026-11-09"))
    case.refresh_from_db()
    [resumed] = [row for row in timeline_rows(selectors.timeline(case=case))
                 if row.label == "恢复计时"]
    assert resumed.lines == ["特别程序 3 个工作日；办结期限在程序开始前已届满，不再顺延"]
