"""The statutory holidays of a year as the law fixes them, before the State Council's notice.

《全国年节及纪念日放假办法》 (2025 revision, Art. 2) gives every citizen these days off:
元旦 1 day (1 January), 春节 4 days (from 除夕, the last day of the twelfth lunar month),
清明节 1 day (the day of the 清明 solar term), 劳动节 2 days (1–2 May), 端午节 1 day
(5th of the fifth lunar month), 中秋节 1 day (15th of the eighth lunar month) and 国庆节
3 days (1–3 October).

These dates are known years ahead; what the yearly notice adds is the 调休 arrangement
(which weekends become working days, and the bridge days around them). A year without a
loaded notice therefore still skips its statutory holidays; only the 调休 stays unknown, and
every result touching that year stays flagged provisional.

Lunar dates and the solar term come from ``lunar_python`` (pure Python, no data files). Pure:
no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from lunar_python import Lunar, Solar

__all__ = ["StatutoryHoliday", "statutory_holidays"]

# Lunar arithmetic is only trustworthy within the package's tables; beyond them a date
# would be a guess, and a guessed holiday is worse than the plain weekend rule.
FIRST_YEAR, LAST_YEAR = 1901, 2099


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    date: dt.date
    name: str


def _solar(solar: Solar) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar(year: int, month: int, day: int) -> dt.date:
    return _solar(Lunar.fromYmd(year, month, day).getSolar())


def _qingming(year: int) -> dt.date:
    # The 清明 term always falls on 4–6 April; the lunar year that starts in January or
    # February of ``year`` holds that April in its solar-term table.
    term = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return _solar(term)


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The statutory days off of ``year`` in date order (13 days), or () outside the range
    the lunar tables cover."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ()
    days: list[StatutoryHoliday] = [StatutoryHoliday(dt.date(year, 1, 1), "元旦")]
    # 除夕 is the day before the lunar new year, whether the twelfth month has 29 or 30 days.
    eve = _lunar(year, 1, 1) - dt.timedelta(days=1)
    days += [StatutoryHoliday(eve + dt.timedelta(days=n), "春节") for n in range(4)]
    days.append(StatutoryHoliday(_qingming(year), "清明节"))
    days += [StatutoryHoliday(dt.date(year, 5, d), "劳动节") for d in (1, 2)]
    days.append(StatutoryHoliday(_lunar(year, 5, 5), "端午节"))
    days.append(StatutoryHoliday(_lunar(year, 8, 15), "中秋节"))
    days += [StatutoryHoliday(dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    # 中秋 can fall on 国庆 (2020: 1 October, 2028: 3 October); one date is one day off,
    # named as the notices name it (国庆节、中秋节).
    names: dict[dt.date, list[str]] = {}
    for holiday in days:
        names.setdefault(holiday.date, []).append(holiday.name)
    return tuple(StatutoryHoliday(day, "、".join(sorted(found, key=_ORDER.index)))
                 for day, found in sorted(names.items()))


_ORDER = ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节"]
