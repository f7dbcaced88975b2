"""A review step's opinion form (issue 13): 拟同意 / 拟不同意 / 退回 with reasons, recorded in
the action data and shown with the opinions; bad input is refused with nothing written."""

import pytest

from onewindow.cases import selectors, services
from onewindow.cases.codes import ActionKind
from onewindow.cases.errors import DecisionInvalid, ReasonRequired
from onewindow.workflow.models import WorkItem

from .test_review import accepted, ready
from .test_review_api import as_, client

pytestmark = pytest.mark.django_db


def _counts(case):
    return (case.actions.count(), WorkItem.objects.filter(
        subject_id=str(case.pk), status="READY").count())


def test_agree_and_disagree_are_recorded_with_their_reasons(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    before = _counts(case)
    with pytest.raises(ReasonRequired) as refused:
        services.case_task_complete(actor=world.handler, work_item=review, opinion="不符合",
                                    stance="disagree", now=now)
    assert refused.value.code == "cases.reason-required"
    assert "reasons" in refused.value.details
    with pytest.raises(DecisionInvalid) as unknown:
        services.case_task_complete(actor=world.handler, work_item=review, opinion="x",
                                    stance="maybe", now=now)
    assert unknown.value.code == "cases.decision-invalid" and "stance" in unknown.value.details
    assert _counts(case) == before

    services.case_task_complete(actor=world.handler, work_item=review, opinion="经营场所偏小。",
                                stance="disagree", reasons="经营场所面积不足 10 平方米。",
                                now=now)
    row = case.actions.filter(kind=ActionKind.TASK_COMPLETE).get()
    assert row.data["stance"] == "disagree"
    assert row.data["reasons"] == "经营场所面积不足 10 平方米。"
    [opinion] = selectors.case_opinions(case)
    assert (opinion.stance, opinion.stance_label) == ("disagree", "拟不同意")


def test_return_sends_the_case_back_with_the_reason(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    services.case_task_complete(actor=world.handler, work_item=review, opinion="建议准予。",
                                stance="agree", now=now)
    [decide] = ready(case)
    # 退回 is a review answer; the chief decides with ``decision`` instead.
    with pytest.raises(DecisionInvalid):
        services.case_task_complete(actor=world.chief, work_item=decide, opinion="x",
                                    stance="return", decision="approve", now=now)
    with pytest.raises(ReasonRequired):
        services.case_task_complete(actor=world.chief, work_item=decide, opinion="",
                                    stance="return", now=now)
    services.case_task_complete(actor=world.chief, work_item=decide, opinion="",
                                stance="return", reasons="请核实经营场所。", now=now)
    [again] = ready(case)
    assert again.task_label == "审查" and again.returned_reason == "请核实经营场所。"
    row = case.actions.filter(kind=ActionKind.RETURN).get()
    assert row.data["stance"] == "return" and row.data["opinion"] == "请核实经营场所。"


def test_the_api_takes_the_stance_and_answers_422_for_bad_ones(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    url = f"/v1/cases/tasks/{review.pk}/complete"
    bad = client.post(url, json={"opinion": "x", "stance": "disagree"}, **as_(world.handler))
    assert bad.status_code == 422 and bad.json()["details"]["reasons"]
    review.refresh_from_db()
    assert review.status == "READY"
    ok = client.post(url, json={"opinion": "材料齐全。", "stance": "agree"},
                     **as_(world.handler))
    assert ok.status_code == 200
    assert case.actions.filter(kind=ActionKind.TASK_COMPLETE).get().data["stance"] == "agree"
