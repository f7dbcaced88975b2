"""The engine without a database: routes driven from start to end, state as JSON."""

import json

import pytest

from onewindow.workflow import defaults, engine
from onewindow.workflow.errors import (
    ExpressionFailed,
    InvalidState,
    InvalidTaskData,
    NoPreviousStep,
    NoRouteMatched,
    TaskNotReady,
)

from .conftest import fixture_xml, route_of


def by_name(instance):
    return {task.name: task for task in instance.ready_tasks}


def complete(instance, name, **data):
    return engine.complete(state_json=instance.state_json, task_id=by_name(instance)[name].task_id,
                           data=data)


@pytest.fixture
def camunda(camunda_xml):
    return route_of(camunda_xml)


def test_camunda_route_runs_to_approval(camunda):
    instance = engine.start(route=camunda, data={"applicant": "张三"})
    assert [(t.name, t.label, t.lane, t.role) for t in instance.ready_tasks] == [
        ("Activity_review", "审查", "承办人", "HANDLER")]
    assert not instance.finished
    instance = complete(instance, "Activity_review", opinion="材料齐全")
    assert [(t.label, t.role) for t in instance.ready_tasks] == [("决定", "CHIEF_REPRESENTATIVE")]
    instance = complete(instance, "Activity_decide", decision="approve")
    assert instance.finished and not instance.cancelled
    assert instance.ready_tasks == ()
    assert instance.end_events == ("Event_approved",)
    assert instance.decision == "approve"
    assert instance.data["applicant"] == "张三"


def test_juel_condition_routes_to_denial(camunda):
    instance = complete(complete(engine.start(route=camunda), "Activity_review"),
                        "Activity_decide", decision="deny")
    assert instance.end_events == ("Event_denied",)


def test_modelled_return_goes_back_to_review_and_decision_does_not_leak(camunda):
    instance = complete(engine.start(route=camunda), "Activity_review", decision="ok")
    instance = complete(instance, "Activity_decide", decision="return")
    assert [t.name for t in instance.ready_tasks] == ["Activity_review"]
    # The handler completes again without a decision: the old "return" must not route.
    instance = complete(instance, "Activity_review")
    assert [t.name for t in instance.ready_tasks] == ["Activity_decide"]
    with pytest.raises(NoRouteMatched) as excinfo:
        complete(instance, "Activity_decide")
    assert excinfo.value.code == "workflow.no-route-matched"


def test_state_is_plain_json_and_survives_round_trips(camunda):
    instance = engine.start(route=camunda)
    state = json.loads(instance.state_json)
    assert state["spec"]["name"] == "Process_food_licence"
    again = engine.ready_tasks(state_json=instance.state_json)
    assert again == instance.ready_tasks


def test_send_back_returns_to_previous_step_with_reason(camunda):
    instance = complete(engine.start(route=camunda), "Activity_review", opinion="同意")
    decide = by_name(instance)["Activity_decide"]
    back = engine.send_back(state_json=instance.state_json, task_id=decide.task_id,
                            reason="现场核查记录缺页")
    assert [(t.name, t.returned_reason) for t in back.ready_tasks] == [
        ("Activity_review", "现场核查记录缺页")]
    # Completing the returned step clears the reason and moves on again.
    again = complete(back, "Activity_review", opinion="已补充")
    assert [(t.name, t.returned_reason) for t in again.ready_tasks] == [("Activity_decide", "")]
    done = complete(again, "Activity_decide", decision="approve")
    assert done.finished


def test_send_back_from_first_step_is_refused(camunda):
    instance = engine.start(route=camunda)
    with pytest.raises(NoPreviousStep):
        engine.send_back(state_json=instance.state_json,
                         task_id=instance.ready_tasks[0].task_id, reason="x")
    with pytest.raises(InvalidTaskData):
        engine.send_back(state_json=instance.state_json,
                         task_id=instance.ready_tasks[0].task_id, reason="  ")


def test_parallel_joint_review_waits_for_both_departments():
    route = route_of(fixture_xml("camunda_joint_parallel.bpmn"))
    instance = engine.start(route=route)
    assert {(t.name, t.department) for t in instance.ready_tasks} == {
        ("Activity_review_lead", ""), ("Activity_review_joint", "乙局")}
    instance = complete(instance, "Activity_review_joint", opinion="同意")
    assert [t.name for t in instance.ready_tasks] == ["Activity_review_lead"]
    instance = complete(instance, "Activity_review_lead", opinion="同意")
    assert [t.name for t in instance.ready_tasks] == ["Activity_decide"]
    done = complete(instance, "Activity_decide", decision="approve_with_conditions")
    assert done.end_events == ("Event_approved",)


def test_default_flow_is_taken_when_no_condition_holds():
    route = route_of(fixture_xml("camunda_joint_parallel.bpmn"))
    instance = engine.start(route=route)
    instance = complete(complete(instance, "Activity_review_lead"), "Activity_review_joint")
    assert complete(instance, "Activity_decide", decision="deny").end_events == ("Event_denied",)


def test_send_back_after_parallel_review_reopens_every_branch():
    route = route_of(defaults.joint_route(["乙局", "丙局"]))
    instance = engine.start(route=route)
    for name in ["Task_review", "Task_review_1", "Task_review_2"]:
        instance = complete(instance, name, opinion="同意")
    decide = by_name(instance)["Task_decide"]
    back = engine.send_back(state_json=instance.state_json, task_id=decide.task_id,
                            reason="联审意见不一致")
    assert {(t.name, t.returned_reason) for t in back.ready_tasks} == {
        ("Task_review", "联审意见不一致"), ("Task_review_1", "联审意见不一致"),
        ("Task_review_2", "联审意见不一致")}
    # Two of three again: still waiting for the third.
    back = complete(complete(back, "Task_review"), "Task_review_2")
    assert [t.name for t in back.ready_tasks] == ["Task_review_1"]
    back = complete(back, "Task_review_1")
    assert [t.name for t in back.ready_tasks] == ["Task_decide"]


def test_default_joint_route_return_loops_through_all_reviewers():
    route = route_of(defaults.joint_route(["乙局"]))
    instance = engine.start(route=route)
    instance = complete(complete(instance, "Task_review"), "Task_review_1")
    instance = complete(instance, "Task_decide", decision="return")
    assert {t.name for t in instance.ready_tasks} == {"Task_review", "Task_review_1"}
    instance = complete(instance, "Task_review")
    assert [t.name for t in instance.ready_tasks] == ["Task_review_1"]
    instance = complete(complete(instance, "Task_review_1"), "Task_decide", decision="approve")
    assert instance.finished and instance.end_events == ("End_approved",)


def test_instant_route_is_decided_at_the_window():
    instance = engine.start(route=route_of(defaults.instant_route()))
    assert [(t.label, t.role) for t in instance.ready_tasks] == [("当场决定", "WINDOW_CLERK")]
    done = complete(instance, "Task_decide", decision="approve")
    assert done.finished and done.end_events == ("End_done",)


def test_completing_a_task_that_is_not_ready_is_refused(camunda):
    instance = engine.start(route=camunda)
    review = instance.ready_tasks[0]
    after = complete(instance, "Activity_review")
    with pytest.raises(TaskNotReady):
        engine.complete(state_json=after.state_json, task_id=review.task_id)
    with pytest.raises(TaskNotReady):
        engine.complete(state_json=after.state_json, task_id="not-a-uuid")


@pytest.mark.parametrize("data", [
    {"1bad": 1}, {"returned_reason": "x"}, {"x": object()}, {"x": "a" * 70_000}, ["list"],
])
def test_task_data_is_checked(camunda, data):
    instance = engine.start(route=camunda)
    with pytest.raises(InvalidTaskData):
        engine.complete(state_json=instance.state_json,
                        task_id=instance.ready_tasks[0].task_id, data=data)


def test_unsafe_condition_smuggled_into_state_is_refused_at_run_time(camunda):
    """Even if someone edits a stored state, conditions never reach eval()."""
    instance = complete(engine.start(route=camunda), "Activity_review")
    state = instance.state_json.replace(
        'decision == \\"return\\"', '__import__(\\"os\\").system(\\"touch /tmp/pwned\\")')
    assert state != instance.state_json
    with pytest.raises(ExpressionFailed) as excinfo:
        complete(engine.Instance(state_json=state, ready_tasks=instance.ready_tasks,
                                 finished=False), "Activity_decide", decision="approve")
    assert "函数调用" in excinfo.value.message


def test_unreadable_state_is_reported():
    with pytest.raises(InvalidState):
        engine.complete(state_json="{not json", task_id="x")


def test_cancel_stops_everything(camunda):
    instance = engine.cancel(state_json=engine.start(route=camunda).state_json)
    assert instance.finished and instance.cancelled and instance.ready_tasks == ()


def test_route_edited_in_the_database_is_checked_again_before_it_runs():
    from types import SimpleNamespace

    from onewindow.workflow.errors import ScriptTaskRefused

    tampered = SimpleNamespace(bpmn_xml=fixture_xml("camunda_script_task.bpmn"),
                               process_id="Process_food_licence")
    with pytest.raises(ScriptTaskRefused):
        engine.start(route=tampered)


def test_opinion_and_decision_belong_to_one_step(camunda):
    instance = complete(engine.start(route=camunda), "Activity_review", decision="ok",
                        opinion="同意")
    done = complete(instance, "Activity_decide", decision="approve", opinion="")
    assert done.data["opinion"] == "" and done.data["decision"] == "approve"
