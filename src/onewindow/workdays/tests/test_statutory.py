"""The statutory holidays of a year without a notice (《全国年节及纪念日放假办法》, 2025)."""

import datetime as dt

import pytest

from onewindow.workdays import selectors, services
from onewindow.workdays.bundled import bundled_calendar
from onewindow.workdays.models import DayKind
from onewindow.workdays.statutory import statutory_holidays

from .conftest import fake_2027_notice

D = dt.date.fromisoformat

# 除夕 (the day before the lunar new year) and 清明 from published almanacs.
KNOWN = {
    2027: ("2027-02-05", "2027-04-05", "2027-06-09", "2027-09-15"),
    2028: ("2028-01-25", "2028-04-04", "2028-05-28", "2028-10-03"),
    2029: ("2029-02-12", "2029-04-04", "2029-06-16", "2029-09-22"),
    2030: ("2030-02-02", "2030-04-05", "2030-06-05", "2030-09-12"),
}


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_the_thirteen_days_of_a_year(year):
    eve, qingming, duanwu, zhongqiu = map(D, KNOWN[year])
    days = {h.date: h.name for h in statutory_holidays(year)}
    # 13 days, one fewer when 中秋 falls on 1–3 October (2028: 3 October).
    assert len(days) == (12 if zhongqiu.month == 10 and zhongqiu.day <= 3 else 13)
    assert days[dt.date(year, 1, 1)] == "元旦"
    assert [day for day, name in days.items() if name == "春节"] == [
        eve + dt.timedelta(days=n) for n in range(4)]
    assert days[qingming] == "清明节" and days[duanwu] == "端午节"
    assert "中秋节" in days[zhongqiu]
    assert [day for day, name in days.items() if name == "劳动节"] == [
        dt.date(year, 5, 1), dt.date(year, 5, 2)]
    assert [day for day, name in days.items() if "国庆节" in name] == [
        dt.date(year, 10, n) for n in (1, 2, 3)]


def test_mid_autumn_on_national_day_is_one_day():
    days = {h.date: h.name for h in statutory_holidays(2020)}  # 中秋 fell on 1 October
    assert len(days) == 12 and days[dt.date(2020, 10, 1)] == "国庆节、中秋节"


@pytest.mark.django_db
def test_a_year_without_notice_skips_its_holidays_provisionally(now):
    calendar = selectors.get_calendar()
    assert not calendar.is_working_day(D("2027-01-01"))  # Fri, 元旦
    assert not calendar.is_working_day(D("2027-02-08"))  # Mon, the 4th day from 除夕
    assert calendar.is_working_day(D("2027-02-09"))
    assert not calendar.is_working_day(D("2027-10-01"))
    result = calendar.add_working_days_result(D("2026-12-31"), 1)
    assert result.value == D("2027-01-04") and result.provisional
    named = selectors.named_days_between(D("2027-01-01"), D("2027-01-01"))
    assert named[D("2027-01-01")].name == "元旦" and named[D("2027-01-01")].provisional

    # The notice replaces the provisional days: here it has no 春节 rows, so the law's
    # days in February are no longer assumed once the year is official.
    services.holidays_load_holiday_cn(actor=None, data=fake_2027_notice(), now=now)
    calendar = selectors.get_calendar()
    assert calendar.is_working_day(D("2027-02-08"))
    assert not calendar.is_provisional(D("2027-02-08"))
    named = selectors.named_days_between(D("2027-01-01"), D("2027-01-01"))
    assert not named[D("2027-01-01")].provisional


@pytest.mark.django_db
def test_an_administrators_day_wins_over_the_provisional_one(now):
    # A region that works on 2 May 2028 (by its own decision) keeps that working day.
    services.holiday_set(actor=None, date=D("2028-05-06"), kind=DayKind.WORKDAY,
                         name="劳动节调休", now=now)
    calendar = selectors.get_calendar()
    assert calendar.is_working_day(D("2028-05-06"))
    assert not calendar.is_working_day(D("2028-05-01"))


def test_the_bundled_calendar_needs_no_database():
    calendar = bundled_calendar()
    assert calendar.add_working_days(D("2026-09-30"), 5) == D("2026-10-13")
    assert calendar.add_working_days(D("2026-12-30"), 3) == D("2027-01-05")
    assert calendar.is_official_year(2026) and not calendar.is_official_year(2027)
