"""Tables of the working-day calendar: the special days, the years with a loaded notice, and
a revision counter that tells every process when its cached calendar is stale."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_noop


class DayKind(models.TextChoices):
    HOLIDAY = "HOLIDAY", "休息日（法定节假日）"
    WORKDAY = "WORKDAY", "工作日（调休上班）"


class DeadlineState(models.TextChoices):
    """Where something stands against its due date: the one set of states (and words) every
    worklist, case page and supervision sweep uses (selectors.deadline_state computes it)."""

    NONE = "NONE", gettext_noop("无期限")
    NORMAL = "NORMAL", gettext_noop("正常")
    DUE_SOON = "DUE_SOON", gettext_noop("临近期限")
    OVERDUE = "OVERDUE", gettext_noop("已超期")
    SUSPENDED = "SUSPENDED", gettext_noop("暂停计时")
    DONE = "DONE", gettext_noop("按期完成")
    DONE_LATE = "DONE_LATE", gettext_noop("超期完成")


class DaySource(models.TextChoices):
    CHINESE_CALENDAR = "CHINESE_CALENDAR", "chinese-calendar 软件包"
    HOLIDAY_CN = "HOLIDAY_CN", "holiday-cn 数据文件"
    ADMIN = "ADMIN", "管理员维护"


class SpecialDay(models.Model):
    """A date that departs from the weekend rule, or a holiday on a weekend kept as given."""

    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        def get_kind_display(self) -> str: ...

    date = models.DateField(verbose_name="日期", unique=True)
    kind = models.CharField(verbose_name="类型", max_length=16, choices=DayKind.choices)
    name = models.CharField(verbose_name="节日名称", max_length=64, blank=True)
    source = models.CharField(verbose_name="来源", max_length=24, choices=DaySource.choices)
    # The notice a date belongs to is not always its calendar year (the 2023 notice puts
    # 2022-12-31 off); reloading one year's notice must replace exactly that notice's rows.
    notice_year = models.PositiveSmallIntegerField(verbose_name="所属通知年度", db_index=True)
    updated_at = models.DateTimeField(verbose_name="更新时间")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="workdays_specialday_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=DaySource.values),
                name="workdays_specialday_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """One year of the calendar: whether the State Council notice for it is loaded."""

    year = models.PositiveSmallIntegerField(verbose_name="年度", unique=True)
    official = models.BooleanField(verbose_name="已载入国务院放假通知", default=False)
    paper = models.TextField(verbose_name="通知网址", blank=True)
    loaded_at = models.DateTimeField(verbose_name="载入时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度放假安排"
        verbose_name_plural = "年度放假安排"
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2200),
                name="workdays_calendaryear_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}（{'正式' if self.official else '暂定'}）"


class CalendarRevision(models.Model):
    """A single row counting calendar changes; processes compare it to their cached copy.

    A counter rather than max(updated_at): services take ``now`` from the caller, so two
    edits may carry the same timestamp, and a delete leaves no timestamp behind.
    """

    number = models.BigIntegerField(verbose_name="版本号", default=0)
    changed_at = models.DateTimeField(verbose_name="变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"

    def __str__(self) -> str:
        return f"日历版本 {self.number}"
