"""``onewindow workdays``: working-day arithmetic and holiday loading from the shell.

    onewindow workdays add 2026-09-28 20          → 2026-11-02 (DATE itself not counted)
    onewindow workdays between 2026-09-28 2026-11-02  → 20 (working days in (A, B])
    onewindow workdays load-holidays 2027.json    → loads one holiday-cn file
    onewindow workdays load-holidays --bundled    → loads every file shipped with the app

Results go to stdout alone so scripts can use them; a provisional warning goes to stderr.
``add`` and ``between`` need no database: before ``onewindow migrate`` they count on the
calendar shipped with the product (and say so on stderr).
"""

import datetime as dt
import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils import timezone

from onewindow.common.errors import ApplicationError
from onewindow.workdays import selectors, services
from onewindow.workdays.bundled import BUNDLED_DIR, bundled_calendar
from onewindow.workdays.calendar import WorkingCalendar
from onewindow.workdays.models import CalendarRevision, CalendarYear, SpecialDay

_TABLES = {model._meta.db_table for model in (CalendarRevision, CalendarYear, SpecialDay)}


# Only the extended form: fromisoformat would also take 20261030 or 2026-W40, which a clerk
# more likely typed by mistake than meant.
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: str) -> dt.date:
    try:
        if not _DATE_RE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式无效：{value!r}，应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "工作日计算与节假日数据载入（add / between / load-holidays）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="DATE 之后第 N 个工作日（DATE 当日不计）")
        add.add_argument("date", metavar="DATE")
        add.add_argument("n", metavar="N")
        between = actions.add_parser("between", help="区间 (A, B] 内的工作日数")
        between.add_argument("a", metavar="A")
        between.add_argument("b", metavar="B")
        load = actions.add_parser("load-holidays", help="载入 holiday-cn 格式的放假通知")
        load.add_argument("files", nargs="*", metavar="FILE.json")
        load.add_argument("--bundled", action="store_true", help="载入随程序发布的全部年份文件")

    def handle(self, *args, **options):
        self._calendar_cache: WorkingCalendar | None = None
        action = options["action"]
        if action == "add":
            self._add(options["date"], options["n"])
        elif action == "between":
            self._between(options["a"], options["b"])
        else:
            self._load(options["files"], bundled=options["bundled"])

    def _calendar(self) -> WorkingCalendar:
        """The database's calendar, or the bundled one when there is no migrated database
        to read (a fresh checkout): arithmetic should not need ``migrate`` first."""
        if self._calendar_cache is None:
            try:
                ready = set(connection.introspection.table_names()) >= _TABLES
            except DatabaseError:
                ready = False
            if ready:
                self._calendar_cache = selectors.get_calendar()
            else:
                self.stderr.write("注意：数据库尚未初始化，按随程序发布的节假日数据计算"
                                  "（运行 onewindow migrate 后使用系统中维护的日历）。")
                self._calendar_cache = bundled_calendar()
        return self._calendar_cache

    def _warn_provisional(self, first: dt.date, last: dt.date) -> None:
        calendar = self._calendar()
        years = [y for y in range(min(first, last).year, max(first, last).year + 1)
                 if not calendar.is_official_year(y)]
        self.stderr.write(
            f"注意：结果涉及尚未载入国务院放假通知的年份（{'、'.join(map(str, years))}），"
            "已计入法定节假日，调休安排未知，暂定计算（provisional）。"
        )

    def _add(self, raw_date: str, raw_n: str) -> None:
        day = _parse_date(raw_date)
        try:
            n = int(raw_n)
        except ValueError:
            raise CommandError(f"工作日数无效：{raw_n!r}，应为非负整数。") from None
        if n < 0:
            raise CommandError(f"工作日数无效：{n}，应为非负整数。")
        try:
            result = self._calendar().add_working_days_result(day, n)
        except (OverflowError, ValueError):
            raise CommandError("计算结果超出可表示的日期范围。") from None
        self.stdout.write(result.value.isoformat())
        if result.provisional:
            self._warn_provisional(day, result.value)

    def _between(self, raw_a: str, raw_b: str) -> None:
        a, b = _parse_date(raw_a), _parse_date(raw_b)
        result = self._calendar().working_days_between_result(a, b)
        self.stdout.write(str(result.value))
        if result.provisional:
            self._warn_provisional(a, b)

    def _load(self, files: list[str], *, bundled: bool) -> None:
        paths = [Path(name) for name in files]
        if bundled:
            paths += sorted(BUNDLED_DIR.glob("*.json"))
        if not paths:
            raise CommandError("请给出至少一个 JSON 文件，或使用 --bundled。")
        now = timezone.now()
        for path in paths:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
            except ValueError as exc:
                raise CommandError(f"文件 {path} 不是有效的 JSON：{exc}") from None
            try:
                result = services.holidays_load_holiday_cn(actor=None, data=data, now=now)
            except ApplicationError as exc:
                raise CommandError(f"{path}：{exc.message}（{exc.code}）") from None
            if result.skipped:
                status = "正式" if result.official else "暂定"
                self.stdout.write(f"{result.year}：文件中没有放假通知内容，未作改动（{status}）。")
                continue
            line = (f"{result.year}：已载入，休息日 {result.holidays} 天，调休上班 "
                    f"{result.workdays} 天，移除旧记录 {result.removed} 条")
            if result.kept_admin:
                kept = "、".join(result.kept_admin)
                line += f"，保留管理员记录 {len(result.kept_admin)} 条（{kept}）"
            self.stdout.write(line + "。")
