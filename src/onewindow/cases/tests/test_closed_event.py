"""``cases.case.closed``: every ending of a case publishes it exactly once, with a payload
of identifiers and dates (reviews and supervision subscribe to it)."""

import base64

import pytest

from onewindow.cases import services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.events import CASE_CLOSED, CaseClosedPayload
from onewindow.events.models import OutboxEvent
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db

SIGNATURE = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()


def closed_events(case) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(name=CASE_CLOSED, aggregate_type="cases.case",
                                           aggregate_id=case.number))


def decide(world, now, decision: str, **extra):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)

    def step():
        return WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                    status="READY")

    services.case_task_complete(actor=world.handler, work_item=step(), opinion="审查", now=now)
    return services.case_task_complete(actor=world.chief, work_item=step(), opinion="决定",
                                       decision=decision, now=now, **extra)


def hand_over(world, now, case):
    return services.case_hand_over(
        actor=world.clerk, case=case, now=now, recipient_name="张晓明",
        recipient_id_number="371002199003070021", id_checked=True, signature=SIGNATURE)


def assert_payload(event, case, *, outcome: str) -> None:
    payload = event.payload
    assert set(payload) == set(CaseClosedPayload.__annotations__)
    assert payload["outcome"] == outcome and payload["status"] == case.status
    assert payload["case_id"] == case.pk and payload["number"] == case.number
    last = case.actions.order_by("-seq").first()
    assert (payload["action_seq"], payload["action_kind"]) == (last.seq, last.kind)
    assert payload["implementation_code"] == case.implementation.code
    assert payload["organisation_id"] == case.organisation_id
    assert payload["applicant_account_id"] == case.applicant_account_id
    # Identifiers and dates only: the applicant's name, ID number and form stay out.
    text = str(payload)
    assert case.applicant_person.name not in text
    assert case.applicant_person.id_number not in text


def test_refusing_at_the_front_desk_closes_the_case(world, now):
    case = submit_online(world, now)
    case = services.case_reject(actor=world.clerk, case=case, reason="不属于本机关职权范围。",
                                now=now)
    [event] = closed_events(case)
    assert_payload(event, case, outcome="REJECTED")
    assert event.payload["decided_at"] is None and event.payload["delivered_at"] is None
    assert event.payload["received_at"] == case.received_at.isoformat()


def test_withdrawing_in_review_closes_the_case(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    case = services.case_withdraw(actor=world.citizen, case=case, reason="不再需要。", now=now)
    assert case.status == CaseStatus.WITHDRAWN
    [event] = closed_events(case)
    assert_payload(event, case, outcome="WITHDRAWN")
    assert event.payload["accepted_at"] == case.accepted_at.isoformat()
    assert event.payload["promised_due_date"] == case.promised_due_date.isoformat()


def test_an_approval_closes_the_case_when_its_result_is_handed_over(world, now):
    case = decide(world, now, "approve")
    assert case.status == CaseStatus.APPROVED
    assert closed_events(case) == []  # decided, but the licence is still at the window
    case = hand_over(world, now, case)
    [event] = closed_events(case)
    assert_payload(event, case, outcome="APPROVED")
    assert event.payload["delivery_channel"] == "PICKUP"
    assert event.payload["decided_at"] == case.decided_at.isoformat()
    assert event.payload["delivered_at"] == case.delivered_at.isoformat()
    assert event.payload["legal_due_date"] == case.legal_due_date.isoformat()


def test_a_denial_closes_the_case_when_the_decision_is_delivered(world, now):
    case = decide(world, now, "deny", reasons="经营场所与食品安全要求不符。")
    assert case.status == CaseStatus.DENIED and closed_events(case) == []
    case = hand_over(world, now, case)
    [event] = closed_events(case)
    assert_payload(event, case, outcome="DENIED")


def test_online_delivery_at_decision_closes_the_case_once(world, now):
    case = submit_online(world, now)
    services.case_delivery_choose(actor=world.citizen, case=case, channel="ELECTRONIC",
                                  now=now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    for actor, extra in ((world.handler, {}), (world.chief, {"decision": "approve"})):
        item = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                    status="READY")
        case = services.case_task_complete(actor=actor, work_item=item, opinion="同意",
                                           now=now, **extra)
    assert case.status == CaseStatus.DELIVERED
    [event] = closed_events(case)
    assert_payload(event, case, outcome="APPROVED")
    assert event.payload["delivery_channel"] == "ELECTRONIC"
    assert OutboxEvent.objects.filter(name=CASE_CLOSED).count() == 1


def test_moves_that_do_not_end_the_case_publish_no_closed_event(world, now):
    case = submit_online(world, now)
    services.case_request_correction(actor=world.clerk, case=case,
                                     items=[{"name": "营业执照", "problem": "不清晰"}], now=now)
    services.case_supply_materials(actor=world.citizen, case=case, now=now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    assert OutboxEvent.objects.filter(name=CASE_CLOSED).count() == 0
