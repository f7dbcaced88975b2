"""Services, the seed migration and the cached calendar, on the database."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.events.models import OutboxEvent
from onewindow.workdays import selectors, services
from onewindow.workdays.models import CalendarRevision, CalendarYear, DayKind, DaySource, SpecialDay

from .conftest import bundled, fake_2027_notice

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def now():
    return timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))


def snapshot():
    return (
        sorted(SpecialDay.objects.values_list("date", "kind", "name", "source", "notice_year")),
        sorted(CalendarYear.objects.values_list("year", "official", "paper")),
        CalendarRevision.objects.get(pk=1).number,
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


# --- the seed ----------------------------------------------------------------------------


def test_seed_covers_chinese_calendar_years():
    years = set(selectors.official_years())
    assert set(range(2004, 2027)) <= years
    assert 2027 not in years
    spring = SpecialDay.objects.get(date=D("2026-02-16"))
    assert spring.kind == DayKind.HOLIDAY and spring.name == "春节"
    assert spring.source == DaySource.CHINESE_CALENDAR
    assert SpecialDay.objects.get(date=D("2026-10-10")).kind == DayKind.WORKDAY
    # The 2023 New Year's break started in 2022 and belongs to the 2023 notice.
    assert SpecialDay.objects.get(date=D("2022-12-31")).notice_year == 2023


def test_seed_agrees_with_bundled_2026_notice():
    cal = selectors.get_calendar()
    for item in bundled(2026)["days"]:
        assert cal.is_working_day(D(item["date"])) is not item["isOffDay"], item
    assert cal.add_working_days(D("2026-09-28"), 20) == D("2026-10-30")


# --- loading notices ---------------------------------------------------------------------


def test_load_2026_notice_replaces_rows_and_keeps_results(now):
    before = selectors.get_calendar().add_working_days_result(D("2026-09-28"), 20)
    result = services.holidays_load_holiday_cn(actor=None, data=bundled(2026), now=now)
    assert result.official and not result.skipped
    assert (result.holidays, result.workdays, result.removed) == (33, 6, 0)
    assert not SpecialDay.objects.filter(notice_year=2026,
                                         source=DaySource.CHINESE_CALENDAR).exists()
    assert SpecialDay.objects.get(date=D("2026-02-15")).source == DaySource.HOLIDAY_CN
    assert CalendarYear.objects.get(year=2026).paper.startswith("https://www.gov.cn/")
    assert selectors.get_calendar().add_working_days_result(D("2026-09-28"), 20) == before


def test_placeholder_2027_is_not_official(now):
    state = snapshot()
    result = services.holidays_load_holiday_cn(actor=None, data=bundled(2027), now=now)
    assert result.skipped and not result.official
    assert snapshot() == state
    assert selectors.add_working_days_result(D("2026-12-30"), 3).provisional


def test_placeholder_never_downgrades_a_loaded_year(now):
    empty_2026 = {"year": 2026, "papers": [], "days": []}
    result = services.holidays_load_holiday_cn(actor=None, data=empty_2026, now=now)
    assert result.skipped and result.official
    assert CalendarYear.objects.get(year=2026).official
    assert SpecialDay.objects.filter(notice_year=2026).count() == 39


def test_loading_2027_notice_changes_results(now):
    cal = selectors.get_calendar()
    provisional = cal.add_working_days_result(D("2026-12-30"), 3)
    # 元旦 is off by law before the notice; the result still waits for the 调休.
    assert provisional.value == D("2027-01-05") and provisional.provisional
    assert cal.is_working_day_result(D("2027-02-20")).value is False

    result = services.holidays_load_holiday_cn(actor=None, data=fake_2027_notice(), now=now)
    assert (result.year, result.holidays, result.workdays) == (2027, 3, 1)

    cal = selectors.get_calendar()  # the same process sees the change at once
    final = cal.add_working_days_result(D("2026-12-30"), 3)
    assert final.value == D("2027-01-05") and not final.provisional
    assert cal.is_working_day(D("2027-02-20"))
    assert not cal.is_provisional(D("2027-01-01"), D("2027-12-31"))

    event = OutboxEvent.objects.get(name="workdays.notice.loaded")
    assert event.payload == {"year": 2027}
    audit = AuditEvent.objects.get(action="workdays.notice.load")
    assert audit.subject_id == "2027" and audit.after["result"]["holidays"] == 3


def test_reload_removes_days_dropped_from_the_notice(now):
    services.holidays_load_holiday_cn(actor=None, data=fake_2027_notice(), now=now)
    corrected = fake_2027_notice()
    corrected["days"] = corrected["days"][:1]
    result = services.holidays_load_holiday_cn(actor=None, data=corrected, now=now)
    assert result.removed == 3
    assert list(SpecialDay.objects.filter(notice_year=2027).values_list("date", flat=True)) == [
        D("2027-01-01")]
    assert not selectors.is_working_day(D("2027-02-20"))


def test_admin_rows_survive_an_import(now):
    services.holiday_set(actor=None, date=D("2027-01-01"), kind=DayKind.HOLIDAY,
                         name="本地休息日", now=now)
    result = services.holidays_load_holiday_cn(actor=None, data=fake_2027_notice(), now=now)
    assert result.kept_admin == ["2027-01-01"] and result.holidays == 2
    day = SpecialDay.objects.get(date=D("2027-01-01"))
    assert (day.source, day.name) == (DaySource.ADMIN, "本地休息日")


@pytest.mark.parametrize("data", [
    [],
    {"year": "2027", "papers": [], "days": []},
    {"year": 2027, "papers": "x", "days": []},
    {"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-13-01",
                                           "isOffDay": True}]},
    {"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01"}]},
    {"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2025-01-01",
                                           "isOffDay": True}]},
    {"year": 2027, "papers": ["u"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-01", "isOffDay": False}]},
    # A valid first day must not be written when a later one is bad.
    {"year": 2027, "papers": ["u"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True}, "oops"]},
])
def test_invalid_file_writes_nothing(now, data):
    state = snapshot()
    with pytest.raises(services.InvalidHolidayFile) as caught:
        services.holidays_load_holiday_cn(actor=None, data=data, now=now)
    assert caught.value.code == "workdays.invalid-file"
    assert "节假日文件" in caught.value.message
    assert snapshot() == state


# --- single days -------------------------------------------------------------------------


def test_holiday_set_and_delete_are_audited_and_seen_at_once(now):
    monday = D("2027-03-01")
    assert selectors.is_working_day(monday)
    day = services.holiday_set(actor=None, date=monday, kind=DayKind.HOLIDAY, name="测试", now=now)
    assert day.source == DaySource.ADMIN and day.updated_at == now
    assert not selectors.is_working_day(monday)
    services.holiday_delete(actor=None, date=monday, now=now)
    assert selectors.is_working_day(monday)
    actions = list(AuditEvent.objects.filter(subject_id="2027-03-01").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["workdays.holiday.set", "workdays.holiday.delete"]


def test_holiday_set_changes_an_existing_day(now):
    services.holiday_set(actor=None, date=D("2026-10-10"), kind=DayKind.HOLIDAY, now=now)
    assert not selectors.is_working_day(D("2026-10-10"))
    audit = AuditEvent.objects.get(action="workdays.holiday.set")
    assert audit.before["kind"] == DayKind.WORKDAY and audit.after["kind"] == DayKind.HOLIDAY


def test_weekday_cannot_be_an_adjusted_workday(now):
    with pytest.raises(services.InvalidSpecialDay) as caught:
        services.holiday_set(actor=None, date=D("2027-03-01"), kind=DayKind.WORKDAY, now=now)
    assert caught.value.code == "workdays.invalid-day"


def test_delete_missing_day(now):
    with pytest.raises(services.SpecialDayNotFound):
        services.holiday_delete(actor=None, date=D("2027-03-01"), now=now)


def test_calendar_year_set_marks_official_and_publishes(now):
    services.calendar_year_set(actor=None, year=2027, official=True, paper="", now=now)
    assert not selectors.is_provisional(D("2027-01-01"))
    assert OutboxEvent.objects.filter(name="workdays.notice.loaded").count() == 1


# --- the cache ---------------------------------------------------------------------------


def test_calendar_is_cached_until_the_revision_changes(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    first = selectors.get_calendar()
    assert selectors.get_calendar() is first

    # Another process writes (simulated by bypassing this process's services).
    SpecialDay.objects.create(date=D("2027-03-01"), kind=DayKind.HOLIDAY, name="",
                              source=DaySource.ADMIN, notice_year=2027,
                              updated_at=timezone.make_aware(dt.datetime(2026, 11, 23)))
    CalendarRevision.objects.filter(pk=1).update(number=999)
    clock[0] += 10
    assert selectors.get_calendar() is first  # not checked again yet
    clock[0] += selectors.CHECK_SECONDS
    fresh = selectors.get_calendar()
    assert fresh is not first and not fresh.is_working_day(D("2027-03-01"))
    clock[0] += selectors.CHECK_SECONDS
    assert selectors.get_calendar() is fresh  # same revision: kept


def test_committed_write_lets_the_cache_work_again(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.holiday_set(actor=None, date=D("2027-03-01"), kind=DayKind.HOLIDAY, now=now)
    first = selectors.get_calendar()
    assert not first.is_working_day(D("2027-03-01"))
    assert selectors.get_calendar() is first


def test_rolled_back_write_does_not_stay_cached(now):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.holiday_set_inner(actor=None, date=D("2027-03-01"), kind=DayKind.HOLIDAY,
                                   now=now)
        assert not selectors.is_working_day(D("2027-03-01"))
        raise Boom
    assert selectors.is_working_day(D("2027-03-01"))
