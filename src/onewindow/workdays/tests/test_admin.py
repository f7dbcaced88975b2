"""Admin edits go through the services: audited, and the calendar changes at once."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.workdays import selectors
from onewindow.workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def test_add_and_delete_special_day(admin_client):
    monday = dt.date(2027, 3, 1)
    assert selectors.is_working_day(monday)
    response = admin_client.post("/admin/workdays/specialday/add/",
                                 {"date": "2027-03-01", "kind": "HOLIDAY", "name": "测试"})
    assert response.status_code == 302, response.content.decode()[:2000]
    day = SpecialDay.objects.get(date=monday)
    assert day.source == "ADMIN"
    assert not selectors.is_working_day(monday)
    assert AuditEvent.objects.filter(action="workdays.holiday.set", subject_id="2027-03-01",
                                     actor__isnull=False).exists()

    response = admin_client.post(f"/admin/workdays/specialday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert selectors.is_working_day(monday)
    assert AuditEvent.objects.filter(action="workdays.holiday.delete").exists()


def test_weekday_workday_is_refused_by_the_form(admin_client):
    response = admin_client.post("/admin/workdays/specialday/add/",
                                 {"date": "2027-03-01", "kind": "WORKDAY", "name": ""})
    assert response.status_code == 200
    assert "调休上班日只能是星期六或星期日" in response.content.decode()
    assert not SpecialDay.objects.filter(date=dt.date(2027, 3, 1)).exists()


def test_mark_year_official(admin_client):
    assert selectors.is_provisional(dt.date(2027, 5, 1))
    response = admin_client.post("/admin/workdays/calendaryear/add/",
                                 {"year": "2027", "official": "on", "paper": ""})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).official
    assert not selectors.is_provisional(dt.date(2027, 5, 1))


def test_change_existing_day(admin_client):
    saturday = SpecialDay.objects.get(date=dt.date(2026, 10, 10))
    assert selectors.is_working_day(saturday.date)
    response = admin_client.post(f"/admin/workdays/specialday/{saturday.pk}/change/",
                                 {"kind": "HOLIDAY", "name": "改为休息"})
    assert response.status_code == 302, response.content.decode()[:2000]
    saturday.refresh_from_db()
    assert (saturday.kind, saturday.source, saturday.name) == ("HOLIDAY", "ADMIN", "改为休息")
    assert not selectors.is_working_day(saturday.date)
    assert SpecialDay.objects.filter(date=saturday.date).count() == 1
