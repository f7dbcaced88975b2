"""Calendars composed from lists of special days, and the calendar the product ships.

``compose`` is the one place where the loaded days meet the statutory holidays of the years
without a notice (``statutory``): the database-backed calendar (``selectors.build_calendar``)
and the bundled one both go through it, so a shell without a database computes the same
dates as the running service.

``bundled_calendar`` needs no database: the ``chinesecalendar`` package's years plus the
holiday-cn files in ``data/holidays``. ``onewindow workdays add`` uses it before the database
is migrated (a fresh checkout), instead of failing on a missing table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from . import holiday_cn
from .calendar import WorkingCalendar
from .models import DayKind
from .statutory import statutory_holidays

BUNDLED_DIR = Path(__file__).resolve().parent / "data" / "holidays"

# Provisional statutory holidays are added for years without a notice from the first loaded
# year up to this many years after the last: far enough for any limit plus suspensions.
YEARS_AHEAD = 20
# With no notice loaded at all (an emptied table), still cover the years cases live in.
_DEFAULT_SPAN = (2000, 2030)


def provisional_years(official: Iterable[int]) -> range:
    """The years whose statutory holidays are added when no notice for them is loaded."""
    years = sorted(official)
    first, last = (years[0], years[-1]) if years else _DEFAULT_SPAN
    return range(first, last + YEARS_AHEAD + 1)


def provisional_days(official: Iterable[int], known: Iterable[dt.date] = ()
                     ) -> dict[dt.date, str]:
    """{date: holiday name} of the statutory holidays of every year without a notice, except
    dates that already have a row (an administrator's decision wins)."""
    official = set(official)
    known = set(known)
    found: dict[dt.date, str] = {}
    for year in provisional_years(official):
        if year in official:
            continue
        for holiday in statutory_holidays(year):
            if holiday.date not in known:
                found[holiday.date] = holiday.name
    return found


def compose(days: Iterable[tuple[dt.date, str]], official: Iterable[int]) -> WorkingCalendar:
    """A calendar of the loaded ``(date, kind)`` rows plus the provisional statutory
    holidays of the years without a notice."""
    official = list(official)
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in days:
        (holidays if kind == DayKind.HOLIDAY else workdays).append(day)
    holidays += provisional_days(official, known=[*holidays, *workdays])
    return WorkingCalendar(holidays, workdays, official)


def bundled_days() -> tuple[list[tuple[dt.date, str, str]], list[int]]:
    """([(date, kind, name)], official years) of the data shipped with the product: the
    ``chinesecalendar`` package, then the bundled holiday-cn files (which replace a year's
    rows, as loading them into the database does)."""
    from chinese_calendar import constants

    # Holiday.__new__ sets .chinese, which the untyped package does not declare.
    names = {member.value: member.chinese  # pyright: ignore[reportAttributeAccessIssue]
             for member in constants.Holiday}
    by_date: dict[dt.date, tuple[str, str]] = {}
    for kind, table in ((DayKind.HOLIDAY, constants.holidays),
                        (DayKind.WORKDAY, constants.workdays)):
        for day, value in table.items():
            by_date[day] = (kind, names.get(value, str(value)))
    official = {day.year for day in by_date}
    for path in sorted(BUNDLED_DIR.glob("*.json")):
        year, papers, parsed = holiday_cn.parse(json.loads(path.read_text(encoding="utf-8")))
        if not papers and not parsed:
            continue  # holiday-cn's placeholder for a year whose notice is not out
        for day, kind, name in parsed:
            by_date[day] = (kind, name)
        official.add(year)
    days = [(day, kind, name) for day, (kind, name) in sorted(by_date.items())]
    return days, sorted(official)


@lru_cache(maxsize=1)
def bundled_calendar() -> WorkingCalendar:
    """The calendar of the shipped data alone (no database)."""
    days, official = bundled_days()
    return compose(((day, kind) for day, kind, _ in days), official)
