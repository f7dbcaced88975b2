"""Reads of the working-day calendar, chiefly ``get_calendar()``: the current
:class:`WorkingCalendar`, cached in-process.

Cache rule: the calendar is rebuilt when the revision counter in the database differs from
the one it was built at. The counter is read at most every ``CHECK_SECONDS`` per process, so
another process's edit is seen within that time; a write through this process's services
drops the cache at once. A calendar built inside a transaction that wrote to the calendar
is never cached, so a rollback cannot leave uncommitted holidays behind in the cache.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.db import transaction

from .calendar import CalendarResult, WorkingCalendar
from .models import CalendarRevision, CalendarYear, DayKind, SpecialDay

CHECK_SECONDS = 30.0

_lock = threading.Lock()
_cached: tuple[WorkingCalendar, int | None] | None = None
_checked_at = 0.0
_pending = threading.local()


def _revision_number() -> int | None:
    return CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first()


def build_calendar() -> WorkingCalendar:
    """A fresh calendar from the tables (one query per table, no cache)."""
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in SpecialDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).append(day)
    official = CalendarYear.objects.filter(official=True).values_list("year", flat=True)
    return WorkingCalendar(holidays, workdays, official)


def invalidate_calendar() -> None:
    """Forget the cached calendar; the next ``get_calendar()`` reloads it."""
    global _cached
    with _lock:
        _cached = None


def reset_calendar_cache() -> None:
    """Forget the cache and any pending-write mark (for tests, whose transactions never
    commit, and after bulk changes made outside the services)."""
    _pending.active = False
    invalidate_calendar()


def mark_calendar_written() -> None:
    """Called by services after a write: drop the cache now and again after commit."""
    _pending.active = True
    invalidate_calendar()

    def committed() -> None:
        _pending.active = False
        invalidate_calendar()

    transaction.on_commit(committed)


def _write_pending() -> bool:
    if not getattr(_pending, "active", False):
        return False
    if transaction.get_connection().in_atomic_block:
        return True
    # The writing transaction ended without running its on-commit hook: it rolled back.
    _pending.active = False
    invalidate_calendar()
    return False


def get_calendar() -> WorkingCalendar:
    """The current working-day calendar (cached; see the module docstring)."""
    global _cached, _checked_at
    if _write_pending():
        return build_calendar()
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - _checked_at < CHECK_SECONDS:
        return cached[0]
    revision = _revision_number()
    if cached is not None and cached[1] == revision:
        _checked_at = now
        return cached[0]
    calendar = build_calendar()
    with _lock:
        _cached = (calendar, revision)
        _checked_at = now
    return calendar


# --- convenience: the same arithmetic on the current calendar ------------------------------


def is_working_day(day: dt.date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    return get_calendar().add_working_days(day, n)


def add_working_days_result(day: dt.date, n: int) -> CalendarResult[dt.date]:
    return get_calendar().add_working_days_result(day, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return get_calendar().working_days_between(a, b)


def working_days_between_result(a: dt.date, b: dt.date) -> CalendarResult[int]:
    return get_calendar().working_days_between_result(a, b)


def add_natural_days_result(day: dt.date, n: int) -> CalendarResult[dt.date]:
    return get_calendar().add_natural_days_result(day, n)


def add_hours_result(moment: dt.datetime, hours: float) -> CalendarResult[dt.datetime]:
    return get_calendar().add_hours_result(moment, hours)


def is_provisional(a: dt.date, b: dt.date | None = None) -> bool:
    return get_calendar().is_provisional(a, b)


# --- lists -----------------------------------------------------------------------------


def special_days_of_year(*, year: int):
    """The special days whose date lies in ``year``, in date order."""
    return SpecialDay.objects.filter(date__year=year).order_by("date")


def calendar_years():
    return CalendarYear.objects.order_by("year")


def official_years() -> list[int]:
    return list(CalendarYear.objects.filter(official=True).order_by("year")
                .values_list("year", flat=True))
