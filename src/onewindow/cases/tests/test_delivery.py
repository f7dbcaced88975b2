"""One service per delivery act (统一出件): hand-over at the window, mail dispatched, mail
delivered, online publication. Each writes the case's state, one action row and one audit
row; a refusal writes nothing."""

import base64
import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseConflict, CaseNotFound, DeliveryInvalid, InvalidTransition
from onewindow.cases.models import Case, CaseAction
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db

S = CaseStatus
SIGNATURE = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def _approved(world, now) -> Case:
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    for actor, decision in ((world.handler, None), (world.chief, "approve")):
        step = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                    status="READY")
        services.case_task_complete(actor=actor, work_item=step, opinion="同意",
                                    decision=decision, now=now)
    return selectors.access_case(actor=world.clerk, ref=case.number)


def _last(case: Case) -> CaseAction:
    return case.actions.order_by("-seq").first()


def _audited(case: Case, kind: str) -> AuditEvent:
    return AuditEvent.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                  action=f"cases.case.{kind.lower()}")


def _written() -> tuple[int, int]:
    return CaseAction.objects.count(), AuditEvent.objects.count()


def test_hand_over_delivers_with_the_recipient_masked(world, now):
    case = _approved(world, now)
    result = services.case_hand_over(
        actor=world.clerk, case=case, recipient_name=" 张 三 ",
        recipient_id_number="110101199003077777", id_checked=True, signature=SIGNATURE,
        expected_version=case.lock_version, now=now)
    result.refresh_from_db()
    assert (result.status, result.delivered_at, result.delivery_channel) == (
        S.DELIVERED, now, "PICKUP")
    action = _last(result)
    assert action.kind == "HAND_OVER" and action.actor == world.clerk
    assert action.data["recipient_name"] == "张 三" and action.data["signature"] == SIGNATURE
    assert "110101199003077777" not in str(action.data)
    audit = _audited(result, "HAND_OVER")
    assert audit.actor_id == world.clerk.pk and audit.after["seq"] == action.seq


def test_hand_over_on_paper_needs_no_drawn_signature(world, now):
    case = _approved(world, now)
    result = services.case_hand_over(
        actor=world.clerk, case=case, recipient_name="张三",
        recipient_id_number="110101199003077777", id_checked=True, paper_receipt=True,
        now=now)
    assert _last(result).data["paper_receipt"] is True and _last(result).data["signature"] == ""


def test_mail_is_dispatched_once_then_delivered(world, now):
    case = _approved(world, now)
    with pytest.raises(InvalidTransition) as exc:  # nothing has left yet
        services.case_mail_deliver(actor=world.clerk, case=case, now=now)
    assert exc.value.code == "cases.invalid-transition"
    dispatched = services.case_mail_dispatch(
        actor=world.clerk, case=case, carrier="中国邮政 EMS", tracking_number="EA1234567890",
        address="测试市环翠区统一路 8 号", now=now)
    dispatched.refresh_from_db()
    assert dispatched.status == S.APPROVED and dispatched.delivered_at is None
    assert (dispatched.delivery_channel, dispatched.delivery_address) == (
        "MAIL", "测试市环翠区统一路 8 号")
    action = _last(dispatched)
    assert action.kind == "MAIL_DISPATCH" and action.data["tracking_number"] == "EA1234567890"
    assert _audited(dispatched, "MAIL_DISPATCH").after["seq"] == action.seq

    before = _written()
    with pytest.raises(InvalidTransition):  # once only
        services.case_mail_dispatch(actor=world.clerk, case=dispatched, carrier="顺丰",
                                    tracking_number="SF1", now=now)
    assert _written() == before

    later = now + dt.timedelta(days=2)
    delivered = services.case_mail_deliver(actor=world.clerk, case=dispatched, now=later)
    delivered.refresh_from_db()
    assert delivered.status == S.DELIVERED and delivered.delivered_at == later
    assert _last(delivered).kind == "MAIL_DELIVER"
    assert _audited(delivered, "MAIL_DELIVER").occurred_at == later


def test_mail_dispatch_needs_an_address_and_a_waybill(world, now):
    case = _approved(world, now)  # chose pickup: no address on file
    before = _written()
    with pytest.raises(DeliveryInvalid) as exc:
        services.case_mail_dispatch(actor=world.clerk, case=case, carrier="EMS",
                                    tracking_number="EA1", now=now)
    assert exc.value.details == {"address": "请填写邮寄地址。"}
    with pytest.raises(DeliveryInvalid) as exc:
        services.case_mail_dispatch(actor=world.clerk, case=case, carrier="EMS",
                                    tracking_number=" ", address="某地", now=now)
    assert exc.value.details == {"tracking_number": "请填写快递单号。"}
    assert _written() == before


def test_publish_online_delivers_electronically(world, now):
    case = _approved(world, now)
    result = services.case_publish_online(actor=world.clerk, case=case, now=now)
    result.refresh_from_db()
    assert (result.status, result.delivery_channel) == (S.DELIVERED, "ELECTRONIC")
    assert _last(result).kind == "PUBLISH_ONLINE"
    assert _audited(result, "PUBLISH_ONLINE").actor_id == world.clerk.pk


@pytest.mark.parametrize("act", ["hand_over", "mail_dispatch", "mail_deliver",
                                 "publish_online"])
def test_each_act_refuses_a_stale_page_and_other_staff_with_nothing_written(world, now, act):
    case = _approved(world, now)
    if act == "mail_deliver":
        case = services.case_mail_dispatch(actor=world.clerk, case=case, carrier="EMS",
                                           tracking_number="EA1", address="某地", now=now)
    call = {
        "hand_over": lambda **kw: services.case_hand_over(
            recipient_name="张三", recipient_id_number="110101199003077777",
            id_checked=True, signature=SIGNATURE, **kw),
        "mail_dispatch": lambda **kw: services.case_mail_dispatch(
            carrier="EMS", tracking_number="EA2", address="某地", **kw),
        "mail_deliver": services.case_mail_deliver,
        "publish_online": services.case_publish_online,
    }[act]
    before = _written()
    with pytest.raises(CaseConflict):
        call(actor=world.clerk, case=case, expected_version=case.lock_version - 1, now=now)
    with pytest.raises(CaseNotFound):  # the department's handler does not run the window
        call(actor=world.handler, case=case, now=now)
    assert _written() == before
