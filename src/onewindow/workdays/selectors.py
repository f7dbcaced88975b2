"""Reads of the working-day calendar, chiefly ``get_calendar()``: the current
:class:`WorkingCalendar`, cached in-process, and ``deadline_state()``: where a due date
stands today (the one due-soon rule of the platform).

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
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .bundled import compose, provisional_days
from .calendar import CHINA_TZ, CalendarResult, WorkingCalendar
from .models import CalendarRevision, CalendarYear, DayKind, DeadlineState, SpecialDay

CHECK_SECONDS = 30.0

_lock = threading.Lock()
_cached: tuple[WorkingCalendar, int | None] | None = None
_checked_at = 0.0
_pending = threading.local()


def _revision_number() -> int | None:
    return CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first()


def build_calendar() -> WorkingCalendar:
    """A fresh calendar from the tables (one query per table, no cache), with the statutory
    holidays of the years without a loaded notice added as provisional rest days."""
    days = list(SpecialDay.objects.values_list("date", "kind"))
    official = CalendarYear.objects.filter(official=True).values_list("year", flat=True)
    return compose(days, official)


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


# --- deadline state ----------------------------------------------------------------------


def due_soon_days() -> int:
    """The due-soon band: a date this many working days away or nearer is DUE_SOON."""
    return int(getattr(settings, "ONEWINDOW_DUE_SOON_WORKING_DAYS", 3))


def _as_date(now: dt.date | dt.datetime) -> dt.date:
    if isinstance(now, dt.datetime):
        # Aware instants are judged by the Beijing date, like every limit.
        return now.astimezone(CHINA_TZ).date() if now.tzinfo else now.date()
    return now


def deadline_state(
    due: dt.date | None,
    now: dt.date | dt.datetime,
    *,
    suspended: bool = False,
    finished_on: dt.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> DeadlineState:
    """Where ``due`` stands on ``now`` (a date, or an instant judged in Beijing).

    NONE without a due date; DONE / DONE_LATE once finished (``finished_on``), on or before
    the due date or after it; SUSPENDED while the clock is stopped; OVERDUE after the due
    date; DUE_SOON from ``due_soon_days()`` working days before it through the due date
    itself; NORMAL before that. ``calendar`` saves a lookup in loops.
    """
    if due is None:
        return DeadlineState.NONE
    if finished_on is not None:
        return DeadlineState.DONE_LATE if finished_on > due else DeadlineState.DONE
    if suspended:
        return DeadlineState.SUSPENDED
    today = _as_date(now)
    if due < today:
        return DeadlineState.OVERDUE
    calendar = calendar or get_calendar()
    if calendar.working_days_between(today, due) <= due_soon_days():
        return DeadlineState.DUE_SOON
    return DeadlineState.NORMAL


@dataclass(frozen=True)
class DeadlineBands:
    """The due dates of each running state on one day, as half-open date ranges, so that a
    list can filter by state with an index on the due date (``due < overdue_before`` is
    OVERDUE, ``overdue_before <= due < soon_before`` DUE_SOON, ``due >= soon_before``
    NORMAL). Agrees with ``deadline_state`` for every date."""

    overdue_before: dt.date
    soon_before: dt.date


def deadline_bands(now: dt.date | dt.datetime, *, calendar: WorkingCalendar | None = None
                   ) -> DeadlineBands:
    today = _as_date(now)
    calendar = calendar or get_calendar()
    # working_days_between(today, d) <= N  ⇔  d < the (N+1)-th working day after today
    return DeadlineBands(today, calendar.add_working_days(today, due_soon_days() + 1))


# --- lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedDay:
    """A day that departs from the weekend rule, as the explainer names it."""

    date: dt.date
    kind: str  # DayKind
    name: str
    provisional: bool  # a statutory holiday of a year whose notice is not loaded yet


def named_days_between(first: dt.date, last: dt.date) -> dict[dt.date, NamedDay]:
    """The special days from ``first`` to ``last``: the loaded rows, plus the statutory
    holidays of the years without a notice (provisional)."""
    found = {
        day: NamedDay(day, kind, name, False)
        for day, kind, name in SpecialDay.objects.filter(date__gte=first, date__lte=last)
        .values_list("date", "kind", "name")
    }
    calendar = get_calendar()
    for day, name in provisional_days(calendar.official_years, known=found).items():
        if first <= day <= last:
            found[day] = NamedDay(day, DayKind.HOLIDAY, name, True)
    return found


def special_days_of_year(*, year: int):
    """The special days whose date lies in ``year``, in date order."""
    return SpecialDay.objects.filter(date__year=year).order_by("date")


def calendar_years():
    return CalendarYear.objects.order_by("year")


def official_years() -> list[int]:
    return list(CalendarYear.objects.filter(official=True).order_by("year")
                .values_list("year", flat=True))
