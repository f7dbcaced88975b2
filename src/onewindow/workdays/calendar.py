"""Working-day arithmetic for Chinese administrative time limits. Pure: no database, no clock.

The rule (行政许可法 Art. 82, State Council holiday notices): a date is a working day iff
it is Monday–Friday and not a statutory holiday, or it is a weekend day marked as an
adjusted working day (调休上班). Everything else is a rest day.

Nothing here walks day by day. Working days up to a date are counted by a closed formula
for Mondays–Fridays, corrected by two sorted exception lists searched with ``bisect``:
holidays that fall on a weekday (each removes one working day) and adjusted workdays that
fall on a weekend (each adds one). Holidays on a weekend and "workdays" on a weekday change
nothing, so they are dropped when the calendar is built.

Provisional results: the State Council publishes each year's holidays in the autumn of the
year before. A computation that touches a year whose notice is not loaded uses the plain
weekend rule for that year, and its result is flagged ``provisional``; cases recompute such
deadlines when the notice arrives (event ``workdays.notice.loaded``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

__all__ = ["CalendarResult", "WorkingCalendar"]

# Chinese administrative time has one zone; aware datetimes (stored in UTC) are judged by
# the local date in Beijing, otherwise a case accepted at 07:00 would count from yesterday.
CHINA_TZ = ZoneInfo("Asia/Shanghai")

_DAY = dt.timedelta(days=1)
_DAY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class CalendarResult[T]:
    """A computed value and whether it relied on a year without a loaded official notice."""

    value: T
    provisional: bool


def _weekdays_upto(ordinal: int) -> int:
    """Number of Mondays–Fridays among proleptic ordinals 1..ordinal (ordinal 1 is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _weekday_inverse(count: int) -> int:
    """Smallest ordinal ``y`` with ``_weekdays_upto(y) >= count`` (count >= 1)."""
    weeks, rest = divmod(count, 5)
    # A count that is a multiple of five is reached on the Friday of that week.
    return 7 * weeks + rest if rest else 7 * weeks - 2


class WorkingCalendar:
    """An immutable working-day calendar.

    ``holidays``: dates that are rest days although they may be Monday–Friday (法定节假日).
    ``workdays``: dates that are working days although they may be a weekend (调休上班日).
    ``official_years``: years whose official notice is loaded; others are provisional.
    """

    __slots__ = ("_holiday_set", "_holidays", "_official", "_workday_set", "_workdays")

    def __init__(
        self,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        official_years: Iterable[int] = (),
    ) -> None:
        holiday_dates = set(holidays)
        workday_dates = set(workdays)
        clash = holiday_dates & workday_dates
        if clash:
            raise ValueError(f"dates both holiday and workday: {sorted(clash)[:5]}")
        # Only exceptions that change the weekend rule matter to the arithmetic.
        self._holidays = sorted(d.toordinal() for d in holiday_dates if d.weekday() < 5)
        self._workdays = sorted(d.toordinal() for d in workday_dates if d.weekday() >= 5)
        self._holiday_set = frozenset(self._holidays)
        self._workday_set = frozenset(self._workdays)
        self._official = tuple(sorted(set(official_years)))

    def __repr__(self) -> str:
        years = f"{self._official[0]}–{self._official[-1]}" if self._official else "none"
        return (
            f"<WorkingCalendar weekday holidays={len(self._holidays)} "
            f"weekend workdays={len(self._workdays)} official years={years}>"
        )

    # --- counting -----------------------------------------------------------------------

    def _working_upto(self, ordinal: int) -> int:
        """Working days among ordinals 1..ordinal: O(log n)."""
        return (
            _weekdays_upto(ordinal)
            - bisect_right(self._holidays, ordinal)
            + bisect_right(self._workdays, ordinal)
        )

    def _is_working_ordinal(self, ordinal: int) -> bool:
        if (ordinal - 1) % 7 < 5:
            return ordinal not in self._holiday_set
        return ordinal in self._workday_set

    def _nth_working_after(self, ordinal: int, n: int) -> int:
        """Ordinal of the n-th working day strictly after ``ordinal`` (n >= 1)."""
        target = self._working_upto(ordinal) + n
        # Each day adds at most one working day, so the answer is at least ordinal + n.
        low = ordinal + n - 1  # invariant: _working_upto(low) < target
        high = _weekday_inverse(_weekdays_upto(ordinal) + n)
        # Gallop: the weekday-only estimate falls short by the holidays it crossed; jump
        # again by the shortfall until the bracket holds the answer (1–2 jumps in practice).
        while (reached := self._working_upto(high)) < target:
            low = high
            high = _weekday_inverse(_weekdays_upto(high) + target - reached)
        # Adjusted weekend workdays can put the answer before the estimate: binary search.
        while high - low > 1:
            middle = (low + high) // 2
            if self._working_upto(middle) >= target:
                high = middle
            else:
                low = middle
        return high

    # --- provisional --------------------------------------------------------------------

    @property
    def official_years(self) -> tuple[int, ...]:
        return self._official

    def is_official_year(self, year: int) -> bool:
        index = bisect_left(self._official, year)
        return index < len(self._official) and self._official[index] == year

    def is_provisional(self, a: dt.date, b: dt.date | None = None) -> bool:
        """True if any year from ``a`` to ``b`` (either order) has no loaded official notice."""
        if b is None:
            b = a
        first, last = sorted((a.year, b.year))
        official = bisect_right(self._official, last) - bisect_left(self._official, first)
        return official < last - first + 1

    # --- plain functions ----------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return self._is_working_ordinal(day.toordinal())

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return dt.date.fromordinal(self._nth_working_after(day.toordinal(), 1))

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``day``; ``day`` itself is not counted.

        ``n == 0`` returns ``day`` unchanged (even on a rest day). ``n < 0`` is an error.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return day
        return dt.date.fromordinal(self._nth_working_after(day.toordinal(), n))

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in the half-open interval (a, b].

        If ``b < a`` the result is minus the working days in (b, a], so that
        ``between(a, b) + between(b, c) == between(a, c)`` always; ``a == b`` gives 0.
        """
        return self._working_upto(b.toordinal()) - self._working_upto(a.toordinal())

    def add_natural_days(self, day: dt.date, n: int) -> dt.date:
        """``day`` + ``n`` calendar days, moved to the next working day if that is a rest day.

        民法典 Art. 201/203: the first day is not counted; a period whose last day is a rest
        day (法定休假日, weekends included) ends on the first working day after it.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        end = day + dt.timedelta(days=n)
        if self.is_working_day(end):
            return end
        return self.next_working_day(end)

    def add_hours(
        self, moment: dt.datetime, hours: float, *, tz: dt.tzinfo | None = None
    ) -> dt.datetime:
        """The instant at which ``hours`` hours lying on working days have passed after ``moment``.

        Working days count around the clock (24 h each); rest days do not count at all. A
        ``moment`` on a rest day starts counting at 00:00 of the next working day. When the
        count ends exactly at the end of a working day the result is 00:00 of the following
        day. Aware datetimes are judged in ``tz`` (default Asia/Shanghai) and returned in it;
        naive datetimes are taken as local wall time and returned naive.
        """
        return self._add_hours(moment, hours, tz)[0]

    def _add_hours(
        self, moment: dt.datetime, hours: float, tz: dt.tzinfo | None
    ) -> tuple[dt.datetime, dt.date, dt.date]:
        if hours < 0:
            raise ValueError("hours must be >= 0")
        if moment.tzinfo is not None:
            moment = moment.astimezone(tz or CHINA_TZ)
        local_day = moment.date()
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.is_working_day(local_day):
            start_day, offset = local_day, (moment - midnight).total_seconds()
        else:
            start_day, offset = self.next_working_day(local_day), 0.0
        elapsed = offset + hours * 3600
        full_days, remainder = divmod(elapsed, _DAY_SECONDS)
        full_days = int(full_days)
        if remainder == 0 and full_days > 0:
            # Ends at 24:00 of the last counted working day.
            last_day = self.add_working_days(start_day, full_days - 1)
            day, seconds = last_day + _DAY, 0.0
        else:
            day = last_day = self.add_working_days(start_day, full_days)
            seconds = remainder
        result = midnight.replace(year=day.year, month=day.month, day=day.day)
        # Aware arithmetic with one tzinfo is wall-clock arithmetic, which is what we want.
        result += dt.timedelta(seconds=seconds)
        return result, local_day, last_day

    # --- results with the provisional flag ----------------------------------------------

    def is_working_day_result(self, day: dt.date) -> CalendarResult[bool]:
        return CalendarResult(self.is_working_day(day), self.is_provisional(day))

    def next_working_day_result(self, day: dt.date) -> CalendarResult[dt.date]:
        value = self.next_working_day(day)
        return CalendarResult(value, self.is_provisional(day, value))

    def add_working_days_result(self, day: dt.date, n: int) -> CalendarResult[dt.date]:
        value = self.add_working_days(day, n)
        return CalendarResult(value, self.is_provisional(day, value))

    def working_days_between_result(self, a: dt.date, b: dt.date) -> CalendarResult[int]:
        return CalendarResult(self.working_days_between(a, b), self.is_provisional(a, b))

    def add_natural_days_result(self, day: dt.date, n: int) -> CalendarResult[dt.date]:
        value = self.add_natural_days(day, n)
        return CalendarResult(value, self.is_provisional(day, value))

    def add_hours_result(
        self, moment: dt.datetime, hours: float, *, tz: dt.tzinfo | None = None
    ) -> CalendarResult[dt.datetime]:
        value, first_day, last_day = self._add_hours(moment, hours, tz)
        return CalendarResult(value, self.is_provisional(first_day, last_day))
