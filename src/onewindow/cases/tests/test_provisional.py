"""Due dates counted into a year without its holiday notice are provisional; when the
notice is loaded they are recomputed from the action log (DESIGN rule 7)."""

import datetime as dt

from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.handlers import on_holiday_notice_loaded
from onewindow.cases.services.review import recompute_provisional_deadlines
from onewindow.catalog.tests.factories import make_item
from onewindow.events.registry import handlers_for
from onewindow.workdays import selectors as workdays
from onewindow.workdays import services as workday_services
from onewindow.workdays.events import NOTICE_LOADED
from onewindow.workflow.models import WorkItem

from .factories import submit_online

NOTICE_2027 = {
    "year": 2027,
    "papers": ["https://example.invalid/2027-notice"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
        # Made up for the test: a 调休 Saturday, which no law fixes before the notice.
        {"name": "元旦", "date": "2027-01-09", "isOffDay": False},
    ],
}


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def test_loading_the_2027_notice_moves_a_provisional_due_date(world, now):
    workdays.reset_calendar_cache()
    item = make_item(organisation=world.dept, now=now, name="跨年事项",
                     promised_limit_amount=20)
    accepted_on = at(dt.date(2026, 12, 21))  # Monday
    case = submit_online(world, accepted_on, item=item)
    case = services.case_accept(actor=world.clerk, case=case, now=accepted_on)
    # Without the 2027 notice the statutory holidays are already off (元旦, Fri 1 Jan), but
    # the 调休 is unknown: 22–25 Dec (4), 28–31 Dec (8), 4–8 Jan (13), 11–15 Jan (18),
    # 18–19 Jan (20).
    assert case.promised_due_date == dt.date(2027, 1, 19)
    assert case.deadlines_provisional

    workday_services.holidays_load_holiday_cn(actor=None, data=NOTICE_2027, now=now)
    workdays.reset_calendar_cache()
    assert recompute_provisional_deadlines(now=now) == 1
    case.refresh_from_db()
    # Sat 9 Jan is a working day in the notice: one working day earlier.
    assert case.promised_due_date == dt.date(2027, 1, 18)
    assert not case.deadlines_provisional
    # The handler's open step follows the case's new date.
    [step] = WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                     status="READY")
    assert step.due_date == dt.date(2027, 1, 18)
    # Nothing is provisional any more, so a second run moves nothing.
    assert recompute_provisional_deadlines(now=now) == 0


def test_the_handler_listens_for_the_notice():
    path = f"{on_holiday_notice_loaded.__module__}.{on_holiday_notice_loaded.__qualname__}"
    assert path in handlers_for(NOTICE_LOADED)
