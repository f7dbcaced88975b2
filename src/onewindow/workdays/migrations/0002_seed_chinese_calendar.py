"""Seed the calendar from the ``chinesecalendar`` package: every official holiday and
adjusted workday it knows, and each year it covers marked as official.

The package stops at its last published year; later years come from holiday-cn files
(``onewindow workdays load-holidays``) or the admin, and stay provisional until then.
"""

from django.db import migrations
from django.utils import timezone


def _notice_year(day, holiday):
    # A New Year's break that starts in late December belongs to the next year's notice
    # (e.g. 2023-12-30/31 in the 2024 notice); reloading that notice must replace it.
    if day.month == 12 and holiday is not None and holiday.chinese == "元旦":
        return day.year + 1
    return day.year


def seed(apps, schema_editor):
    from chinese_calendar import constants

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    now = timezone.now()
    by_value = {member.value: member for member in constants.Holiday}
    rows = []
    for kind, table in (("HOLIDAY", constants.holidays), ("WORKDAY", constants.workdays)):
        for day, value in table.items():
            holiday = by_value.get(value)
            rows.append(SpecialDay(
                date=day, kind=kind, name=holiday.chinese if holiday else str(value)[:64],
                source="CHINESE_CALENDAR", notice_year=_notice_year(day, holiday),
                updated_at=now,
            ))
    existing = set(SpecialDay.objects.values_list("date", flat=True))
    SpecialDay.objects.bulk_create([row for row in rows if row.date not in existing],
                                   batch_size=500)
    years = sorted({day.year for day in constants.holidays} | {d.year for d in constants.workdays})
    for year in range(years[0], years[-1] + 1):
        CalendarYear.objects.update_or_create(
            year=year, defaults={"official": True, "loaded_at": now}
        )
    CalendarRevision.objects.update_or_create(pk=1, defaults={"number": 1, "changed_at": now})


def unseed(apps, schema_editor):
    apps.get_model("workdays", "SpecialDay").objects.filter(source="CHINESE_CALENDAR").delete()
    apps.get_model("workdays", "CalendarYear").objects.all().delete()
    apps.get_model("workdays", "CalendarRevision").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
