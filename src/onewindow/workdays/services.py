"""Every write of the working-day calendar. Keyword-only, ``actor`` and ``now`` passed in;
each write is audited in its transaction, bumps the revision counter and drops this
process's cached calendar.

Public services are ``transaction.atomic(durable=True)``; the Django admin saves and
deletes one row inside its own transaction, so its ``save_model``/``delete_model`` call
the non-durable ``*_inner`` bodies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.common.text import StrOrPromise
from onewindow.events.services import publish

from . import holiday_cn
from .events import NOTICE_LOADED
from .holiday_cn import InvalidHolidayFile as InvalidHolidayFile  # callers catch it here
from .models import CalendarRevision, CalendarYear, DayKind, DaySource, SpecialDay
from .selectors import mark_calendar_written

# Imported notices are replaced wholesale on reload; ADMIN rows are local decisions
# (e.g. an autonomous region's own festival) and survive any import.
_IMPORTED_SOURCES = (DaySource.CHINESE_CALENDAR, DaySource.HOLIDAY_CN)


class InvalidSpecialDay(ValidationFailed):
    code = "workdays.invalid-day"


class SpecialDayNotFound(NotFound):
    code = "workdays.day-not-found"


@dataclass(frozen=True)
class NoticeLoadResult:
    year: int
    official: bool
    holidays: int = 0
    workdays: int = 0
    removed: int = 0
    kept_admin: list[str] = field(default_factory=list)
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year, "official": self.official, "holidays": self.holidays,
            "workdays": self.workdays, "removed": self.removed,
            "kept_admin": self.kept_admin, "skipped": self.skipped,
        }


def _bump_revision(now: dt.datetime) -> None:
    updated = CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
    if not updated:
        CalendarRevision.objects.create(pk=1, number=1, changed_at=now)
    mark_calendar_written()


def _day_dict(day: SpecialDay | None) -> dict | None:
    if day is None:
        return None
    return {"date": day.date.isoformat(), "kind": day.kind, "name": day.name,
            "source": day.source, "notice_year": day.notice_year}


def _year_dict(row: CalendarYear | None) -> dict | None:
    if row is None:
        return None
    return {"year": row.year, "official": row.official, "paper": row.paper}


# --- single days (administrators) --------------------------------------------------------


def special_day_problem(*, date: dt.date, kind: str, name: str = "") -> StrOrPromise | None:
    """Why an administrator's special day is not acceptable, or None (the admin form uses it)."""
    if kind not in DayKind.values:
        return gettext_lazy("日期类型无效。")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        # A Monday–Friday is a working day anyway; such a row would only mislead readers.
        return gettext_lazy("调休上班日只能是星期六或星期日。")
    if len(name) > 64:
        return gettext_lazy("节日名称不能超过 64 个字。")
    return None


@transaction.atomic(durable=True)
def holiday_set(
    *, actor: Actor | None, date: dt.date, kind: str, name: str = "", now: dt.datetime
) -> SpecialDay:
    """Create or change the special day on ``date`` as an administrator's decision."""
    return holiday_set_inner(actor=actor, date=date, kind=kind, name=name, now=now)


def holiday_set_inner(
    *, actor: Actor | None, date: dt.date, kind: str, name: str = "", now: dt.datetime
) -> SpecialDay:
    """The body of ``holiday_set``, in the caller's transaction."""
    problem = special_day_problem(date=date, kind=kind, name=name)
    if problem:
        raise InvalidSpecialDay(problem, details={"date": date.isoformat(), "kind": kind})
    existing = SpecialDay.objects.select_for_update().filter(date=date).first()
    before = _day_dict(existing)
    day = existing or SpecialDay(date=date)
    day.kind, day.name, day.source = kind, name, DaySource.ADMIN
    day.notice_year = date.year
    day.updated_at = now
    day.save()
    _bump_revision(now)
    audit_record(actor=actor, action="workdays.holiday.set", subject_type="workdays.specialday",
                 subject_id=date.isoformat(), before=before, after=_day_dict(day), now=now)
    return day


@transaction.atomic(durable=True)
def holiday_delete(*, actor: Actor | None, date: dt.date, now: dt.datetime) -> None:
    """Remove the special day on ``date``: the weekend rule applies to it again."""
    return holiday_delete_inner(actor=actor, date=date, now=now)


def holiday_delete_inner(*, actor: Actor | None, date: dt.date, now: dt.datetime) -> None:
    """The body of ``holiday_delete``, in the caller's transaction."""
    existing = SpecialDay.objects.select_for_update().filter(date=date).first()
    if existing is None:
        raise SpecialDayNotFound(
            gettext_lazy("该日期没有节假日调整记录。"), details={"date": date.isoformat()}
        )
    before = _day_dict(existing)
    existing.delete()
    _bump_revision(now)
    audit_record(actor=actor, action="workdays.holiday.delete",
                 subject_type="workdays.specialday", subject_id=date.isoformat(),
                 before=before, after=None, now=now)


@transaction.atomic(durable=True)
def calendar_year_set(
    *, actor: Actor | None, year: int, official: bool, paper: str = "", now: dt.datetime
) -> CalendarYear:
    """Mark a year's notice as loaded (or not) by hand, e.g. after entering it day by day."""
    return calendar_year_set_inner(actor=actor, year=year, official=official, paper=paper, now=now)


def calendar_year_set_inner(
    *, actor: Actor | None, year: int, official: bool, paper: str = "", now: dt.datetime
) -> CalendarYear:
    """The body of ``calendar_year_set``, in the caller's transaction."""
    if not 1900 <= year <= 2200:
        raise InvalidSpecialDay(
            gettext_lazy("年度须在 1900 到 2200 之间。"), details={"year": year}
        )
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = _year_dict(row)
    row = row or CalendarYear(year=year)
    was_official = row.official
    row.official, row.paper = official, paper
    if official and not was_official:
        row.loaded_at = now
    row.save()
    _bump_revision(now)
    audit_record(actor=actor, action="workdays.year.set", subject_type="workdays.calendaryear",
                 subject_id=str(year), before=before, after=_year_dict(row), now=now)
    if official:
        publish(name=NOTICE_LOADED, payload={"year": year},
                aggregate_type="workdays.calendaryear", aggregate_id=str(year), now=now)
    return row


@transaction.atomic(durable=True)
def calendar_year_delete(*, actor: Actor | None, year: int, now: dt.datetime) -> None:
    return calendar_year_delete_inner(actor=actor, year=year, now=now)


def calendar_year_delete_inner(*, actor: Actor | None, year: int, now: dt.datetime) -> None:
    """The body of ``calendar_year_delete``, in the caller's transaction."""
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        raise SpecialDayNotFound(gettext_lazy("该年度没有记录。"), details={"year": year})
    before = _year_dict(row)
    row.delete()
    _bump_revision(now)
    audit_record(actor=actor, action="workdays.year.delete", subject_type="workdays.calendaryear",
                 subject_id=str(year), before=before, after=None, now=now)


# --- whole notices (holiday-cn files) ----------------------------------------------------


@transaction.atomic(durable=True)
def holidays_load_holiday_cn(*, actor: Actor | None,
                             data: Any, now: dt.datetime) -> NoticeLoadResult:
    """Load one year's State Council notice in holiday-cn format.

    Replaces the imported rows (CHINESE_CALENDAR, HOLIDAY_CN) of that notice year, keeps
    administrators' rows, and marks the year official. A file with neither papers nor days
    (holiday-cn's placeholder before the notice is out) changes nothing: it never wipes or
    downgrades a year that is already loaded. Invalid input writes nothing.
    """
    year, papers, days = holiday_cn.parse(data)
    year_row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if not papers and not days:
        return NoticeLoadResult(year=year, official=bool(year_row and year_row.official),
                                skipped=True)

    old_rows = list(SpecialDay.objects.select_for_update().filter(
        notice_year=year, source__in=_IMPORTED_SOURCES))
    by_date = {row.date: row for row in SpecialDay.objects.select_for_update().filter(
        date__in=[day for day, _, _ in days])}
    before = {"year": _year_dict(year_row), "days": [_day_dict(r) for r in old_rows]}

    new_dates = {day for day, _, _ in days}
    stale = [row.pk for row in old_rows if row.date not in new_dates]
    removed = SpecialDay.objects.filter(pk__in=stale).delete()[0] if stale else 0
    kept_admin: list[str] = []
    to_create, to_update = [], []
    for day, kind, name in days:
        row = by_date.get(day)
        if row is not None and row.source == DaySource.ADMIN:
            kept_admin.append(day.isoformat())
            continue
        values = {"kind": kind, "name": name, "source": DaySource.HOLIDAY_CN,
                  "notice_year": year, "updated_at": now}
        if row is None:
            to_create.append(SpecialDay(date=day, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            to_update.append(row)
    SpecialDay.objects.bulk_create(to_create)
    SpecialDay.objects.bulk_update(to_update, ["kind", "name", "source", "notice_year",
                                               "updated_at"])

    year_row = year_row or CalendarYear(year=year)
    year_row.official, year_row.paper, year_row.loaded_at = True, "\n".join(papers), now
    year_row.save()
    _bump_revision(now)

    result = NoticeLoadResult(
        year=year, official=True, removed=removed, kept_admin=kept_admin,
        holidays=sum(1 for d, k, _ in days if k == DayKind.HOLIDAY
                     and d.isoformat() not in kept_admin),
        workdays=sum(1 for d, k, _ in days if k == DayKind.WORKDAY
                     and d.isoformat() not in kept_admin),
    )
    after = {"year": _year_dict(year_row),
             "days": [[d.isoformat(), k, n] for d, k, n in days], "result": result.as_dict()}
    audit_record(actor=actor, action="workdays.notice.load", subject_type="workdays.calendaryear",
                 subject_id=str(year), before=before, after=after, now=now)
    publish(name=NOTICE_LOADED, payload={"year": year}, aggregate_type="workdays.calendaryear",
            aggregate_id=str(year), now=now)
    return result
