"""One table decides what may be done to a case now (cases.actions): what a page or the
API offers (``allowed_actions``) is exactly what the services' guards let through, for
cases in every status and for applicants, agents, clerks, the back office and outsiders."""

import pytest

from onewindow.cases import actions, selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import ExtensionAlreadyUsed
from onewindow.cases.models import Case
from onewindow.common.errors import ApplicationError
from onewindow.identity.tests.factories import make_id_number
from onewindow.workflow.models import WorkItem

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db

S = CaseStatus

# The stable codes a guard refuses with: not yours, wrong status, or a precondition.
REFUSALS = {"cases.not-found", "cases.invalid-transition", "cases.not-instant-item",
            "cases.extension-already-used", "cases.extension-pending",
            "cases.no-extension-pending", "cases.materials-incomplete"}


def _ready(case):
    return list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                        status="READY").order_by("id"))


def _fresh(case) -> Case:
    return Case.objects.select_related(
        "implementation", "version", "organisation", "centre").get(pk=case.pk)


def _accepted(world, now, **kwargs):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now, **kwargs)
    return _fresh(case)


def _approved(world, now):
    case = _accepted(world, now)
    services.case_task_complete(actor=world.handler, work_item=_ready(case)[0],
                                opinion="通过", now=now)
    services.case_task_complete(actor=world.chief, work_item=_ready(case)[0],
                                opinion="同意", decision="approve", now=now)
    return case


@pytest.fixture
def cases(world, now):
    found: dict[str, Case] = {}
    found["online draft"] = services.case_draft_save(
        actor=world.citizen, implementation_code=world.item.code, now=now)
    found["walk-in draft"] = services.case_register_walk_in(
        actor=world.clerk, implementation_code=world.item.code, id_number=make_id_number(),
        name="王五", phone="13906319999", now=now)
    found["submitted"] = submit_online(world, now, actor=world.agent, legal=world.enterprise)
    found["instant submitted"] = walk_in(world, now, item=world.instant_item)
    instant = walk_in(world, now, item=world.instant_item)
    services.case_accept(actor=world.clerk, case=instant, now=now)
    found["instant accepted"] = instant
    corrected = submit_online(world, now)
    licence = corrected.materials.get(name="营业执照")
    services.case_request_correction(actor=world.clerk, case=corrected, now=now,
                                     items=[{"material_id": licence.pk, "problem": "不清晰"}])
    found["correction requested"] = corrected
    found["in review"] = _accepted(world, now)
    tolerated = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = tolerated.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=tolerated, tolerated=[site.pk],
                         supply_days=5, now=now)
    found["in review, 容缺 outstanding"] = tolerated
    handed_in = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = handed_in.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=handed_in, tolerated=[site.pk],
                         supply_days=5, now=now)
    services.case_material_receive_paper(actor=world.clerk, case=handed_in,
                                         material_ids=[site.pk], now=now)
    found["in review, 容缺 handed in"] = handed_in
    suspended = _accepted(world, now)
    services.case_suspend(actor=world.handler, case=suspended, procedure="TESTING",
                          expected_days=3, reason="现场检测。", now=now)
    found["suspended"] = suspended
    pending = _accepted(world, now)
    services.case_extend_request(actor=world.handler, case=pending, days=5, reason="需核查。",
                                 now=now)
    found["extension pending"] = pending
    extended = _accepted(world, now)
    services.case_extend_request(actor=world.handler, case=extended, days=5, reason="需核查。",
                                 now=now)
    services.case_extend_decide(actor=world.chief, case=extended, approve=True, now=now)
    found["extension used"] = extended
    found["approved"] = _approved(world, now)
    mailed = _approved(world, now)
    services.case_mail_dispatch(actor=world.clerk, case=mailed, carrier="中国邮政 EMS",
                                tracking_number="EA123", address="青岛市市南区香港中路 1 号",
                                now=now)
    found["mail dispatched"] = mailed
    rejected = submit_online(world, now)
    services.case_reject(actor=world.clerk, case=rejected, reason="不属于本机关职权。", now=now)
    found["rejected"] = rejected
    withdrawn = submit_online(world, now)
    services.case_withdraw(actor=world.citizen, case=withdrawn, reason="不办了。", now=now)
    found["withdrawn"] = withdrawn
    return {name: _fresh(case) for name, case in found.items()}


def _service_key(service: str, case: Case) -> str:
    """The row the service itself guards with (supply picks by the case's status)."""
    if service == "case_supply_materials":
        return actions.supply_key(case)
    [key] = [key for key, row in actions.ACTIONS.items() if row.service == service]
    return key


def test_every_status_and_actor_is_offered_exactly_what_the_guards_allow(world, cases):
    actors = {"citizen": world.citizen, "agent": world.agent, "clerk": world.clerk,
              "other city clerk": world.other_clerk, "handler": world.handler,
              "chief": world.chief, "supervisor": world.supervisor}
    assert {case.status for case in cases.values()} >= {
        S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED,
        S.APPROVED, S.REJECTED, S.WITHDRAWN}
    services_ = {row.service for row in actions.ACTIONS.values()}
    offered_somewhere: set[str] = set()
    for case_name, case in cases.items():
        for actor_name, actor in actors.items():
            allowed = selectors.allowed_actions(actor=actor, case=case)
            offered_somewhere.update(allowed)
            for service in services_:
                key = _service_key(service, case)
                where = f"{service} on {case_name} by {actor_name}"
                if service in allowed:
                    actions.guard(key, actor=actor, case=case)  # must not raise
                else:
                    with pytest.raises(ApplicationError) as caught:
                        actions.guard(key, actor=actor, case=case)
                    assert caught.value.code in REFUSALS, where
    # The scene exercises every action at least once (else the check above proves little).
    assert offered_somewhere == services_


def test_pages_offer_what_they_did_before_where_the_service_agrees(world, cases):
    clerk = selectors.allowed_actions(actor=world.clerk, case=cases["submitted"])
    assert {"case_accept", "case_request_correction", "case_reject", "case_withdraw",
            "case_material_receive_paper", "case_material_upload"} <= set(clerk)
    assert selectors.allowed_actions(actor=world.citizen, case=cases["online draft"])[:3] == [
        "case_draft_save", "case_submit", "case_material_upload"]
    # One delivery act each: mail can only be recorded as received once it was sent.
    at_window = set(selectors.allowed_actions(actor=world.clerk, case=cases["approved"]))
    assert {"case_hand_over", "case_mail_dispatch", "case_publish_online"} <= at_window
    assert "case_mail_deliver" not in at_window
    mailed = set(selectors.allowed_actions(actor=world.clerk, case=cases["mail dispatched"]))
    assert {"case_mail_deliver", "case_hand_over"} <= mailed
    assert "case_mail_dispatch" not in mailed
    assert selectors.allowed_actions(actor=world.other_clerk, case=cases["submitted"]) == []


def test_a_used_extension_is_no_longer_offered_and_the_service_refuses_it(world, cases, now):
    case = cases["extension used"]
    assert "case_extend_request" not in selectors.allowed_actions(actor=world.handler,
                                                                  case=case)
    assert "case_extend_request" in selectors.allowed_actions(actor=world.handler,
                                                              case=cases["in review"])
    with pytest.raises(ExtensionAlreadyUsed) as caught:
        services.case_extend_request(actor=world.handler, case=case, days=3, reason="再延。",
                                     now=now)
    assert caught.value.code == "cases.extension-already-used"


def test_supply_in_review_records_tolerated_materials_and_leaves_the_case_in_review(
        world, cases):
    case = cases["in review, 容缺 handed in"]
    assert case.status == S.IN_REVIEW
    assert "case_supply_materials" in selectors.allowed_actions(actor=world.clerk, case=case)
    assert selectors.supply_mode(case=case) == "tolerated"
    assert selectors.supply_mode(case=cases["correction requested"]) == "correction"
    # While the tolerated material is still awaited there is nothing to record yet (the
    # materials can be received), and without 容缺 materials there is nothing at all.
    outstanding = selectors.allowed_actions(actor=world.clerk,
                                            case=cases["in review, 容缺 outstanding"])
    assert "case_supply_materials" not in outstanding
    assert "case_material_receive_paper" in outstanding
    assert "case_supply_materials" not in selectors.allowed_actions(actor=world.clerk,
                                                                    case=cases["in review"])
