"""The pure arithmetic, on calendars built from the bundled holiday-cn files (no database)."""

import datetime as dt
import random

import pytest

from onewindow.workdays.calendar import CHINA_TZ, WorkingCalendar

from .conftest import bundled, fake_2027_notice

D = dt.date.fromisoformat


def calendar_from(*notices: dict) -> WorkingCalendar:
    holidays, workdays, years = [], [], []
    for notice in notices:
        for item in notice["days"]:
            (holidays if item["isOffDay"] else workdays).append(D(item["date"]))
        if notice["papers"] or notice["days"]:
            years.append(notice["year"])
    return WorkingCalendar(holidays, workdays, years)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_from(*(bundled(year) for year in range(2023, 2028)))


# --- 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked ------------------


def test_spring_festival_2026_days(cal):
    notice = {item["date"]: item["isOffDay"] for item in bundled(2026)["days"]}
    assert all(notice[f"2026-02-{day:02d}"] for day in range(15, 24))
    assert notice["2026-02-14"] is False and notice["2026-02-28"] is False
    for day in range(15, 24):
        assert not cal.is_working_day(D(f"2026-02-{day:02d}"))
    assert D("2026-02-14").weekday() == 5 and cal.is_working_day(D("2026-02-14"))
    assert D("2026-02-28").weekday() == 5 and cal.is_working_day(D("2026-02-28"))
    assert not cal.is_working_day(D("2026-02-21"))  # an ordinary Saturday inside the break


def test_spring_festival_2026_arithmetic(cal):
    # Thu 02-12 → Fri 13 (1), Sat 14 worked (2), break, Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert cal.add_working_days(D("2026-02-12"), 5) == D("2026-02-26")
    assert cal.next_working_day(D("2026-02-14")) == D("2026-02-24")
    # (02-13, 02-28]: 14, 24, 25, 26, 27, 28.
    assert cal.working_days_between(D("2026-02-13"), D("2026-02-28")) == 6
    assert cal.working_days_between(D("2026-02-14"), D("2026-02-23")) == 0


# --- 2026 National Day: Sun 09-20 and Sat 10-10 worked; 09-25..27 and 10-01..07 off ------------


def test_national_day_2026_days(cal):
    notice = {item["date"]: item["isOffDay"] for item in bundled(2026)["days"]}
    assert notice["2026-09-20"] is False and notice["2026-10-10"] is False
    assert all(notice[f"2026-10-{day:02d}"] for day in range(1, 8))
    assert all(notice[f"2026-09-{day}"] for day in (25, 26, 27))
    assert cal.is_working_day(D("2026-09-20"))  # Sunday
    assert cal.is_working_day(D("2026-10-10"))  # Saturday
    assert not cal.is_working_day(D("2026-09-25"))  # Friday, 中秋
    assert not any(cal.is_working_day(D(f"2026-10-{day:02d}")) for day in range(1, 8))


def test_twenty_working_days_across_national_day_2026(cal):
    # Mon 09-28: 29 (1), 30 (2), break 10-01..07, Thu 08 (3), Fri 09 (4), Sat 10 worked (5),
    # 12–16 (6–10), 19–23 (11–15), 26–30 (16–20).
    assert cal.add_working_days(D("2026-09-28"), 20) == D("2026-10-30")
    assert cal.working_days_between(D("2026-09-28"), D("2026-10-30")) == 20
    assert cal.working_days_between(D("2026-09-28"), D("2026-10-29")) == 19
    # From Fri 09-18: Sun 09-20 is worked, Fri 09-25 is not.
    # (09-18, 09-30]: 20, 21, 22, 23, 24, 28, 29, 30.
    assert cal.working_days_between(D("2026-09-18"), D("2026-09-30")) == 8
    assert cal.add_working_days(D("2026-09-18"), 1) == D("2026-09-20")
    assert not cal.add_working_days_result(D("2026-09-28"), 20).provisional


def test_zero_and_negative(cal):
    saturday = D("2026-10-03")
    assert cal.add_working_days(saturday, 0) == saturday
    with pytest.raises(ValueError):
        cal.add_working_days(saturday, -1)
    assert cal.working_days_between(D("2026-10-30"), D("2026-09-28")) == -20
    assert cal.working_days_between(D("2026-10-30"), D("2026-10-30")) == 0


def test_natural_days_end_on_rest_day_move_to_next_working_day(cal):
    # 09-21 + 10 days = Thu 10-01 (National Day) → the period ends Thu 10-08.
    assert cal.add_natural_days(D("2026-09-21"), 10) == D("2026-10-08")
    # 09-21 + 19 = Sat 10-10, an adjusted workday: it stays.
    assert cal.add_natural_days(D("2026-09-21"), 19) == D("2026-10-10")
    # An ordinary Saturday moves to Monday.
    assert cal.add_natural_days(D("2026-10-12"), 5) == D("2026-10-19")


def test_add_hours_counts_only_working_days(cal):
    # Wed 09-30 16:00 + 24 h: 8 h left on the 30th, then the break, then 16 h on Thu 10-08.
    start = dt.datetime(2026, 9, 30, 16, 0, tzinfo=CHINA_TZ)
    assert cal.add_hours(start, 24) == dt.datetime(2026, 10, 8, 16, 0, tzinfo=CHINA_TZ)
    # Ending exactly at the end of a working day gives midnight of the next day.
    assert cal.add_hours(start, 8) == dt.datetime(2026, 10, 1, 0, 0, tzinfo=CHINA_TZ)
    # Starting on a rest day counts from 00:00 of the next working day.
    holiday = dt.datetime(2026, 10, 3, 15, 30)
    assert cal.add_hours(holiday, 2) == dt.datetime(2026, 10, 8, 2, 0)
    # An aware UTC time is judged by the Beijing date: 2026-09-30 23:00 UTC is 10-01 07:00.
    utc = dt.datetime(2026, 9, 30, 23, 0, tzinfo=dt.UTC)
    assert cal.add_hours(utc, 1) == dt.datetime(2026, 10, 8, 1, 0, tzinfo=CHINA_TZ)


# --- provisional -------------------------------------------------------------------------


def test_2027_is_provisional_weekend_rule(cal):
    # The bundled 2027 file is holiday-cn's empty placeholder: 2027 is not official.
    assert not cal.is_official_year(2027)
    result = cal.add_working_days_result(D("2026-12-30"), 3)
    # Thu 12-31 (1), Fri 2027-01-01 (2, no holiday known yet), Mon 01-04 (3).
    assert result.value == D("2027-01-04") and result.provisional
    assert cal.is_provisional(D("2026-12-01"), D("2027-01-05"))
    assert not cal.is_provisional(D("2023-01-01"), D("2026-12-31"))
    assert cal.working_days_between_result(D("2027-01-01"), D("2027-01-08")).provisional
    assert cal.is_working_day_result(D("2027-01-01")).provisional


def test_2027_notice_changes_results():
    cal = calendar_from(*(bundled(year) for year in range(2023, 2027)), fake_2027_notice())
    result = cal.add_working_days_result(D("2026-12-30"), 3)
    assert result.value == D("2027-01-05") and not result.provisional
    assert cal.is_working_day(D("2027-02-20"))  # Saturday, adjusted workday
    assert cal.is_provisional(D("2027-12-01"), D("2028-01-05"))


# --- construction and odd calendars ------------------------------------------------------


def test_exceptions_that_do_not_change_the_rule_are_ignored():
    sunday_holiday, monday_workday = D("2026-10-04"), D("2026-10-12")
    cal = WorkingCalendar([sunday_holiday], [monday_workday], [2026])
    plain = WorkingCalendar([], [], [2026])
    assert cal.working_days_between(D("2026-10-01"), D("2026-10-31")) == (
        plain.working_days_between(D("2026-10-01"), D("2026-10-31")))


def test_a_date_cannot_be_both():
    with pytest.raises(ValueError):
        WorkingCalendar([D("2026-10-01")], [D("2026-10-01")])


def test_long_closure_is_crossed():
    # Three months of weekday holidays: the gallop must keep jumping.
    start = D("2030-01-01")
    closed = [start + dt.timedelta(days=i) for i in range(92)]
    cal = WorkingCalendar(closed, [], [])
    assert cal.add_working_days(D("2029-12-31"), 1) == D("2030-04-03")
    assert cal.working_days_between(D("2029-12-31"), D("2030-04-02")) == 0


def test_empty_calendar_is_weekend_rule_and_all_provisional():
    cal = WorkingCalendar()
    assert cal.add_working_days(D("2026-10-02"), 1) == D("2026-10-05")
    assert cal.add_working_days(D("2026-10-02"), 5) == D("2026-10-09")
    assert cal.is_provisional(D("2026-10-02"))


# --- property test against a naive day-by-day reference ---------------------------------


class Naive:
    def __init__(self, notices):
        self.off, self.on = set(), set()
        for notice in notices:
            for item in notice["days"]:
                (self.off if item["isOffDay"] else self.on).add(D(item["date"]))

    def working(self, day):
        return day in self.on or (day.weekday() < 5 and day not in self.off)

    def add(self, day, n):
        while n:
            day += dt.timedelta(days=1)
            n -= self.working(day)
        return day

    def between(self, a, b):
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            count += self.working(day)
        return sign * count

    def natural(self, day, n):
        end = day + dt.timedelta(days=n)
        while not self.working(end):
            end += dt.timedelta(days=1)
        return end

    def hours(self, moment, hours):
        step = dt.timedelta(hours=1)
        while not self.working(moment.date()):  # rest day: start at the next working midnight
            moment = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time())
        while hours:
            # An hour counts if it starts on a working day.
            if self.working(moment.date()):
                hours -= 1
            moment += step
        return moment


def test_matches_naive_reference():
    notices = [*(bundled(year) for year in range(2023, 2027)), fake_2027_notice()]
    cal, naive = calendar_from(*notices), Naive(notices)
    rng = random.Random(20260928)
    first, span = D("2023-01-01").toordinal(), (D("2028-12-31") - D("2023-01-01")).days
    for _ in range(3000):
        day = dt.date.fromordinal(first + rng.randrange(span))
        other = dt.date.fromordinal(first + rng.randrange(span))
        n = rng.randrange(0, 90)
        assert cal.is_working_day(day) == naive.working(day), day
        assert cal.add_working_days(day, n) == naive.add(day, n), (day, n)
        assert cal.working_days_between(day, other) == naive.between(day, other), (day, other)
        assert cal.add_natural_days(day, n) == naive.natural(day, n), (day, n)
        if n:
            assert cal.working_days_between(day, cal.add_working_days(day, n)) == n
    for _ in range(300):
        moment = dt.datetime.combine(dt.date.fromordinal(first + rng.randrange(span)),
                                     dt.time(rng.randrange(24)))
        hours = rng.randrange(0, 200)
        assert cal.add_hours(moment, hours) == naive.hours(moment, hours), (moment, hours)
