import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import deadlines, selectors, services
from onewindow.cases.codes import AcceptanceBasis, ActionKind, CaseStatus
from onewindow.events.models import OutboxEvent
from onewindow.workdays.models import DeadlineState

from .factories import submit_online

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def test_deemed_acceptance_on_the_sixth_working_day_across_national_day(world):
    # Received Tue 29 Sep 2026. Working days after it: 30 Sep (1); 1–7 Oct holiday;
    # 8 Oct (2), 9 Oct (3), Sat 10 Oct adjusted workday (4), Mon 12 Oct (5).
    received = at("2026-09-29")
    case = submit_online(world, received)
    assert case.acceptance_due_date == dt.date(2026, 10, 12)
    clock = selectors.acceptance_clock(case, today=dt.date(2026, 10, 9))
    assert clock.working_days_elapsed == 3 and clock.working_days_left == 2
    # Two working days left is within the due-soon band (3 working days, the one setting).
    assert clock.deemed_on == dt.date(2026, 10, 13) and clock.state == DeadlineState.DUE_SOON
    assert selectors.acceptance_clock(case, today=dt.date(2026, 9, 30)).state == (
        DeadlineState.NORMAL)

    # The 5th working day: not yet.
    assert services.cases_deem_accepted(now=at("2026-10-12", 17)) == []
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert selectors.acceptance_clock(case, today=dt.date(2026, 10, 12)).state == (
        DeadlineState.DUE_SOON)

    # The 6th working day: deemed accepted as of the receipt date, by the system.
    assert services.cases_deem_accepted(now=at("2026-10-13", 9)) == [case.number]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.acceptance_basis == AcceptanceBasis.DEEMED
    assert case.accepted_at == received
    action = case.actions.get(kind=ActionKind.DEEM_ACCEPT)
    assert action.actor is None and action.actor_label == "系统"
    assert "第三十二条" in action.reason and action.data["deemed_from"] == "2026-09-29"
    # Deadlines counted from receipt: 5 working days from 29 Sep is Mon 12 Oct.
    assert case.promised_due_date == dt.date(2026, 10, 12)
    assert case.legal_due_date == deadlines.add_limit(received, 20, "WORKING_DAY")[0]
    *_, entry, started = selectors.timeline(case=case)
    assert entry.kind == "DEEM_ACCEPT" and entry.is_system and entry.notice == "acceptance"
    assert started.kind == "ROUTE_START" and started.to_status == "IN_REVIEW"
    assert OutboxEvent.objects.filter(name="cases.case.deemed_accepted").count() == 1
    # Running the sweep again changes nothing.
    assert services.cases_deem_accepted(now=at("2026-10-14", 9)) == []


def test_correction_stops_the_clock_and_resupply_restarts_it(world):
    case = submit_online(world, at("2026-09-29"))
    services.case_request_correction(actor=world.clerk, case=case, now=at("2026-09-30"),
                                     items=[{"name": "申请表", "problem": "缺少签字"}])
    assert services.cases_deem_accepted(now=at("2026-10-20")) == []
    case.refresh_from_db()
    clock = selectors.acceptance_clock(case, today=dt.date(2026, 10, 20))
    assert clock.state == DeadlineState.SUSPENDED
    services.case_supply_materials(actor=world.citizen, case=case, now=at("2026-10-20"))
    case.refresh_from_db()
    assert case.acceptance_due_date == dt.date(2026, 10, 27)


def test_deadlines_are_recomputable_from_the_action_log(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now + dt.timedelta(days=1))
    case.refresh_from_db()
    result = deadlines.compute(version=case.version, steps=deadlines.steps_of(case))
    assert (result.promised_due_date, result.legal_due_date) == (
        case.promised_due_date, case.legal_due_date)
    assert result.start_date == dt.date(2026, 11, 24)


@pytest.mark.parametrize(("amount", "unit", "expected"), [
    (0, "WORKING_DAY", dt.date(2026, 9, 29)),
    (5, "WORKING_DAY", dt.date(2026, 10, 12)),
    (3, "NATURAL_DAY", dt.date(2026, 10, 8)),  # 2 Oct is a holiday: moved to next workday
    (None, "", None),
])
def test_add_limit_units(amount, unit, expected):
    assert deadlines.add_limit(at("2026-09-29"), amount, unit)[0] == expected
