"""The holiday-cn file format (one year of the State Council's notice as JSON:
``{"year", "papers", "days": [{"name", "date", "isOffDay"}]}``), read without a database:
the loading service and the bundled calendar both parse with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import ValidationFailed

from .models import DayKind


class InvalidHolidayFile(ValidationFailed):
    code = "workdays.invalid-file"


def parse(data: Any) -> tuple[int, list[str], list[tuple[dt.date, str, str]]]:
    """Check one year of holiday-cn JSON; return (year, papers, [(date, kind, name)])."""
    if not isinstance(data, dict):
        raise InvalidHolidayFile(_("节假日文件格式无效：顶层应为对象。"))
    year = data.get("year")
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidHolidayFile(_("节假日文件格式无效：缺少有效的年份（year）。"))
    papers, days = data.get("papers"), data.get("days")
    if not isinstance(papers, list) or not all(isinstance(p, str) for p in papers):
        raise InvalidHolidayFile(_("节假日文件格式无效：通知网址（papers）应为字符串列表。"))
    if not isinstance(days, list):
        raise InvalidHolidayFile(_("节假日文件格式无效：日期列表（days）应为数组。"))
    parsed: list[tuple[dt.date, str, str]] = []
    seen: set[dt.date] = set()
    for index, item in enumerate(days):
        where = {"index": index}
        if not isinstance(item, dict):
            raise InvalidHolidayFile(
                _("节假日文件第 %(index)s 项格式无效。") % {"index": index + 1}, details=where
            )
        name, raw_date, off = item.get("name"), item.get("date"), item.get("isOffDay")
        if not isinstance(name, str) or len(name) > 64:
            raise InvalidHolidayFile(
                _("节假日文件第 %(index)s 项的名称无效。") % {"index": index + 1}, details=where
            )
        if not isinstance(off, bool):
            raise InvalidHolidayFile(
                _("节假日文件第 %(index)s 项缺少 isOffDay。") % {"index": index + 1}, details=where
            )
        try:
            day = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidHolidayFile(
                _("节假日文件第 %(index)s 项的日期无效。") % {"index": index + 1}, details=where
            )
        # A notice reaches back into late December at most (the 2023 New Year's break began
        # on 2022-12-31); anything further away means the file is for another year.
        if day.year not in (year - 1, year):
            raise InvalidHolidayFile(
                _("节假日文件第 %(index)s 项的日期 %(raw_date)s 不属于 %(year)s 年的通知。")
                % {"index": index + 1, "raw_date": raw_date, "year": year},
                details=where,
            )
        if day in seen:
            raise InvalidHolidayFile(
                _("节假日文件中日期 %(raw_date)s 重复。") % {"raw_date": raw_date}, details=where
            )
        seen.add(day)
        parsed.append((day, DayKind.HOLIDAY if off else DayKind.WORKDAY, name))
    return year, papers, parsed
