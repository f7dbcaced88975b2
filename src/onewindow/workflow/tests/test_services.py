"""Routes per item version, subjects driven through them, and the worklist mirror."""

import datetime as dt

import pytest
from django.db import transaction

from onewindow.audit.models import AuditEvent
from onewindow.catalog.tests.factories import make_item
from onewindow.events.models import OutboxEvent
from onewindow.workflow import defaults, engine, events, services
from onewindow.workflow.errors import (
    AlreadyStarted,
    RouteNotFound,
    StateChanged,
    TaskAlreadyCompleted,
    TaskNotReady,
    UnknownDepartment,
    UnknownLane,
    VersionClosed,
    WorkItemNotFound,
)
from onewindow.workflow.models import RouteDefinition, WorkItem

from .conftest import SUBJECT, fixture_xml, route_of

pytestmark = pytest.mark.django_db

READY = WorkItem.Status.READY


def ready_items(subject_id):
    return {i.task_name: i for i in WorkItem.objects.filter(
        subject_type=SUBJECT, subject_id=subject_id, status=READY)}


@pytest.fixture
def version(tree, now):
    return make_item(organisation=tree.dept_a, now=now, name="食品经营许可").current_version


@pytest.fixture
def camunda_route(version, tree, now, camunda_xml):
    return services.route_upload(actor=tree.admin_a, version=version, bpmn_xml=camunda_xml,
                                 file_name="food.bpmn", now=now)


# --- routes ---------------------------------------------------------------------------------


def test_route_upload_stores_and_audits(camunda_route, version, tree):
    route = camunda_route
    assert route.source == RouteDefinition.Source.UPLOADED
    assert route.process_id == "Process_food_licence"
    assert route.lanes == {"承办人": {"role": "HANDLER", "department": ""},
                           "首席代表": {"role": "CHIEF_REPRESENTATIVE", "department": ""}}
    assert route.uploaded_by == tree.admin_a and route.file_name == "food.bpmn"
    event = AuditEvent.objects.get(action="workflow.route_uploaded")
    assert event.subject_id == f"{version.implementation.code}/v1"
    assert event.after["sha256"] == route.sha256
    assert services.route_for(version=version) == route


def test_route_upload_outside_scope_is_not_found(version, tree, now, camunda_xml):
    with pytest.raises(RouteNotFound):
        services.route_upload(actor=tree.admin_c, version=version, bpmn_xml=camunda_xml, now=now)
    with pytest.raises(RouteNotFound):
        services.route_upload(actor=tree.handler_a, version=version, bpmn_xml=camunda_xml,
                              now=now)
    assert not RouteDefinition.objects.exists()


def test_refused_upload_stores_nothing(version, tree, now):
    with pytest.raises(UnknownLane):
        services.route_upload(actor=tree.admin_a, version=version,
                              bpmn_xml=fixture_xml("camunda_unknown_lane.bpmn"), now=now)
    assert not RouteDefinition.objects.exists()
    assert not AuditEvent.objects.filter(action="workflow.route_uploaded").exists()


def test_joint_lane_must_name_a_known_department(version, tree, now):
    xml = fixture_xml("camunda_joint_parallel.bpmn")
    route = services.route_upload(actor=tree.admin_a, version=version, bpmn_xml=xml, now=now)
    assert route.lanes["承办人（乙局）"]["department"] == "乙局"
    with pytest.raises(UnknownDepartment) as excinfo:
        services.route_upload(actor=tree.admin_a, version=version,
                              bpmn_xml=xml.replace("承办人（乙局）", "承办人（不存在局）"), now=now)
    assert "不存在局" in excinfo.value.message and "承办人（不存在局）" in excinfo.value.message


def test_superseded_version_takes_no_route(version, tree, now, camunda_xml):
    version.status = "SUPERSEDED"  # in memory only: the service reads the status
    with pytest.raises(VersionClosed):
        services.route_upload(actor=tree.admin_a, version=version, bpmn_xml=camunda_xml,
                              now=now)


@pytest.mark.parametrize("elements, kind, tasks", [
    ({"handling_type": "1", "promised_limit_amount": None, "promised_limit_unit": ""},
     "instant", ["当场决定"]),
    ({}, "promise", ["审查", "决定"]),
    ({"joint_departments": "乙局、丙局"}, "joint",
     ["审查", "审查（乙局）", "审查（丙局）", "决定"]),
])
def test_default_routes_are_generated_and_stored_once(tree, now, elements, kind, tasks):
    version = make_item(organisation=tree.dept_a, now=now, **elements).current_version
    route = services.route_for(version=version)
    assert route.pk and route.source == RouteDefinition.Source.DEFAULT and route.kind == kind
    assert [t["name"] for t in route.tasks] == tasks
    assert services.route_for(version=version) == route
    assert RouteDefinition.objects.filter(version=version).count() == 1


# --- driving a subject ----------------------------------------------------------------------


def test_subject_runs_through_uploaded_camunda_route(camunda_route, subjects, tree, now, later):
    step = services.process_start(actor=tree.clerk, route=camunda_route, subject_type=SUBJECT,
                                  subject_id="C-1", data={"applicant": "张三"}, now=now)
    assert step.state_version == 1
    [review] = step.created
    assert (review.task_label, review.role, review.organisation, review.lane) == (
        "审查", "HANDLER", tree.dept_a, "承办人")
    assert review.due_date is not None
    assert str(review.task_id) == step.instance.ready_tasks[0].task_id
    assert subjects.states["C-1"].version == 1

    step = services.task_complete(actor=tree.handler_a, work_item=review,
                                  data={"decision": "pass"}, opinion="材料齐全，符合条件",
                                  now=later(10))
    review.refresh_from_db()
    assert review.status == WorkItem.Status.COMPLETED and review.completed_by == tree.handler_a
    assert review.opinion == "材料齐全，符合条件" and review.decision == "pass"
    [decide] = step.created
    assert (decide.task_label, decide.role, decide.organisation) == (
        "决定", "CHIEF_REPRESENTATIVE", tree.dept_a)

    step = services.task_complete(actor=tree.chief_a, work_item=decide,
                                  data={"decision": "approve"}, opinion="准予许可",
                                  now=later(20))
    assert step.instance.finished and step.instance.end_events == ("Event_approved",)
    assert step.created == [] and not ready_items("C-1")
    assert subjects.states["C-1"].version == 3
    names = list(OutboxEvent.objects.filter(aggregate_id="C-1").order_by("id")
                 .values_list("name", flat=True))
    assert names == [events.TASK_READY, events.TASK_COMPLETED, events.TASK_READY,
                     events.TASK_COMPLETED, events.PROCESS_FINISHED]
    finished = OutboxEvent.objects.get(name=events.PROCESS_FINISHED)
    assert finished.payload["decision"] == "approve"
    actions = list(AuditEvent.objects.filter(subject_id="C-1").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["workflow.process_started", "workflow.task_completed",
                       "workflow.task_completed"]


def test_handler_of_another_department_cannot_see_or_complete(camunda_route, subjects, tree,
                                                              now):
    step = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                  subject_id="C-2", now=now)
    [review] = step.created
    for outsider in (tree.handler_b, tree.handler_c, tree.chief_a, tree.admin_a):
        with pytest.raises(WorkItemNotFound) as excinfo:
            services.task_complete(actor=outsider, work_item=review, now=now)
        assert excinfo.value.http_status == 404
    review.refresh_from_db()
    assert review.status == READY
    # A handler over the whole city may (role held over an ancestor).
    services.task_complete(actor=tree.city_handler, work_item=review, now=now)


def test_completing_twice_is_a_conflict(camunda_route, subjects, tree, now):
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="C-3", now=now).created
    services.task_complete(actor=tree.handler_a, work_item=review, now=now)
    with pytest.raises(TaskAlreadyCompleted) as excinfo:
        services.task_complete(actor=tree.handler_a, work_item=review, now=now)
    assert excinfo.value.code == "workflow.task-already-completed"
    assert excinfo.value.http_status == 409
    assert subjects.states["C-3"].version == 2


def test_expected_state_version_guards_stale_forms(camunda_route, subjects, tree, now):
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="C-4", now=now).created
    with pytest.raises(StateChanged):
        services.task_complete(actor=tree.handler_a, work_item=review,
                               expected_state_version=7, now=now)
    step = services.task_complete(actor=tree.handler_a, work_item=review,
                                  expected_state_version=1, now=now)
    assert step.state_version == 2


def test_starting_twice_is_refused(camunda_route, subjects, now):
    services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                           subject_id="C-5", now=now)
    with pytest.raises(AlreadyStarted):
        services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                               subject_id="C-5", now=now)


def test_send_back_with_reason(camunda_route, subjects, tree, now, later):
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="C-6", now=now).created
    [decide] = services.task_complete(actor=tree.handler_a, work_item=review, now=later(1)
                                      ).created
    step = services.task_send_back(actor=tree.chief_a, work_item=decide,
                                   reason="缺少现场核查记录", now=later(2))
    decide.refresh_from_db()
    assert decide.status == WorkItem.Status.RETURNED and decide.opinion == "缺少现场核查记录"
    [again] = step.created
    assert again.task_name == "Activity_review" and again.task_id == review.task_id
    assert again.returned_reason == "缺少现场核查记录" and again.organisation == tree.dept_a
    audit = AuditEvent.objects.get(action="workflow.task_returned")
    assert audit.after["reason"] == "缺少现场核查记录"
    assert audit.after["back_to"] == ["Activity_review"]
    # The returned item is gone from the chief's worklist; the handler's is back.
    with pytest.raises(TaskNotReady):
        services.task_complete(actor=tree.chief_a, work_item=decide, now=later(3))
    services.task_complete(actor=tree.handler_a, work_item=again, now=later(4))


def test_joint_review_waits_for_both_departments(version, subjects, tree, now, later):
    route = services.route_upload(actor=tree.admin_a, version=version,
                                  bpmn_xml=fixture_xml("camunda_joint_parallel.bpmn"), now=now)
    step = services.process_start(actor=None, route=route, subject_type=SUBJECT,
                                  subject_id="J-1", now=now)
    items = {i.task_name: i for i in step.created}
    assert {(n, i.organisation.name) for n, i in items.items()} == {
        ("Activity_review_lead", "甲局"), ("Activity_review_joint", "乙局")}
    # Each department sees only its own item.
    with pytest.raises(WorkItemNotFound):
        services.task_complete(actor=tree.handler_a, work_item=items["Activity_review_joint"],
                               now=now)
    step = services.task_complete(actor=tree.handler_b, work_item=items["Activity_review_joint"],
                                  opinion="乙局同意", now=later(1))
    assert step.created == [] and set(ready_items("J-1")) == {"Activity_review_lead"}
    step = services.task_complete(actor=tree.handler_a, work_item=items["Activity_review_lead"],
                                  opinion="甲局同意", now=later(2))
    [decide] = step.created
    assert decide.task_name == "Activity_decide" and decide.organisation == tree.dept_a
    step = services.task_complete(actor=tree.chief_a, work_item=decide,
                                  data={"decision": "approve"}, now=later(3))
    assert step.instance.finished


def test_default_joint_route_sends_back_to_every_department(tree, subjects, now, later):
    version = make_item(organisation=tree.dept_a, now=now, joint_departments="乙").current_version
    route = services.route_for(version=version)
    step = services.process_start(actor=None, route=route, subject_type=SUBJECT,
                                  subject_id="J-2", now=now)
    items = {i.task_name: i for i in step.created}
    assert items["Task_review_1"].organisation == tree.dept_b  # matched by short name 乙
    services.task_complete(actor=tree.handler_a, work_item=items["Task_review"], now=later(1))
    [decide] = services.task_complete(actor=tree.handler_b, work_item=items["Task_review_1"],
                                      now=later(2)).created
    step = services.task_send_back(actor=tree.chief_a, work_item=decide, reason="意见冲突",
                                   now=later(3))
    assert {(i.task_name, i.organisation.name, i.returned_reason) for i in step.created} == {
        ("Task_review", "甲局", "意见冲突"), ("Task_review_1", "乙局", "意见冲突")}


def test_worklist_sync_cancels_vanished_tasks_and_is_idempotent(subjects, tree, now, later):
    route = route_of(defaults.joint_route(["乙局"]))
    instance = engine.start(route=route)
    lanes = {"承办人": tree.dept_a, "承办人（乙局）": tree.dept_b.pk}
    first = services.worklist_sync(subject_type=SUBJECT, subject_id="S-1", instance=instance,
                                   organisation_for_lane=lanes,
                                   due_date={"Task_review": now.date()}, now=now)
    assert len(first.created) == 2 and first.cancelled == []
    assert {i.task_name: i.due_date for i in first.created} == {
        "Task_review": now.date(), "Task_review_1": None}
    again = services.worklist_sync(subject_type=SUBJECT, subject_id="S-1", instance=instance,
                                   organisation_for_lane=lanes, now=later(1))
    assert again.created == [] and again.cancelled == []
    cancelled = engine.cancel(state_json=instance.state_json)
    result = services.worklist_sync(subject_type=SUBJECT, subject_id="S-1", instance=cancelled,
                                    organisation_for_lane={}, now=later(2))
    assert len(result.cancelled) == 2 and not ready_items("S-1")


def test_lane_without_organisation_is_reported(subjects, now):
    instance = engine.start(route=route_of(defaults.promise_route()))
    with pytest.raises(UnknownDepartment, match="审查"):
        services.worklist_sync(subject_type=SUBJECT, subject_id="S-2", instance=instance,
                               organisation_for_lane={}, now=now)


def test_process_cancel_clears_the_worklist(camunda_route, subjects, now):
    services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                           subject_id="C-7", now=now)
    step = services.process_cancel(actor=None, subject_type=SUBJECT, subject_id="C-7",
                                   reason="申请人撤回", now=now)
    assert step.instance.cancelled and len(step.cancelled) == 1 and not ready_items("C-7")
    assert OutboxEvent.objects.get(name=events.PROCESS_FINISHED).payload["cancelled"] is True


def test_instant_route_goes_to_the_window(tree, subjects, now):
    version = make_item(organisation=tree.dept_a, now=now, handling_type="1",
                        promised_limit_amount=None, promised_limit_unit="").current_version
    step = services.process_start(actor=tree.clerk, route=services.route_for(version=version),
                                  subject_type=SUBJECT, subject_id="I-1", now=now)
    [item] = step.created
    assert item.role == "WINDOW_CLERK" and item.organisation == tree.centre
    done = services.task_complete(actor=tree.clerk, work_item=item, data={"decision": "approve"},
                                  now=now)
    assert done.instance.finished


# --- the subject's hook and its deadlines ---------------------------------------------------


def test_after_step_hook_sees_every_step_and_can_refuse_it(camunda_route, subjects, tree, now,
                                                            later):
    calls = []

    def on_step(subject_id, step):
        if step.data.get("decision") == "deny" and not step.data.get("reasons"):
            raise StateChanged("不予须说明理由")  # any domain error rolls the step back
        calls.append((subject_id, step.kind, step.work_item.task_name, step.actor.username,
                      step.data.get("decision"),
                      step.data.get("opinion") or step.data.get("reason"),
                      step.instance.finished, dict(step.context)))

    subjects.on_step = on_step
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="H-1", now=now).created
    services.task_complete(actor=tree.handler_a, work_item=review, opinion="通过",
                           subject_context={"seen_version": 3}, now=later(1))
    [decide] = ready_items("H-1").values()
    services.task_send_back(actor=tree.chief_a, work_item=decide, reason="补充说明",
                            subject_context={"seen_version": 4}, now=later(2))
    [review_again] = ready_items("H-1").values()
    services.task_complete(actor=tree.handler_a, work_item=review_again, opinion="已补充",
                           now=later(3))
    [decide] = ready_items("H-1").values()
    services.task_complete(actor=tree.chief_a, work_item=decide,
                           data={"decision": "approve"}, opinion="同意", now=later(5))
    # The subject's own context reaches its hook explicitly, and only for that step.
    assert calls == [
        ("H-1", "complete", "Activity_review", "handler_a", None, "通过", False,
         {"seen_version": 3}),
        ("H-1", "send_back", "Activity_decide", "chief_a", None, "补充说明", False,
         {"seen_version": 4}),
        ("H-1", "complete", "Activity_review", "handler_a", None, "已补充", False, {}),
        ("H-1", "complete", "Activity_decide", "chief_a", "approve", "同意", True, {}),
    ]
    # A hook that raises rolls the completion back: the task stays in the worklist.
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="H-2", now=now).created
    services.task_complete(actor=tree.handler_a, work_item=review, now=later(6))
    [decide] = ready_items("H-2").values()
    with pytest.raises(StateChanged):
        services.task_complete(actor=tree.chief_a, work_item=decide, data={"decision": "deny"},
                               now=later(7))
    decide.refresh_from_db()
    assert decide.status == READY and decide.completed_at is None
    assert not AuditEvent.objects.filter(action="workflow.task_completed",
                                         after__work_item_id=decide.pk).exists()


def test_reschedule_moves_only_ready_items(camunda_route, subjects, tree, now, later):
    [review] = services.process_start(actor=None, route=camunda_route, subject_type=SUBJECT,
                                      subject_id="D-1", now=now).created
    services.task_complete(actor=tree.handler_a, work_item=review, now=later(1))
    new_due = dt.date(2027, 1, 15)
    with transaction.atomic():
        services.work_items_lock(subject_type=SUBJECT, subject_id="D-1")
        assert services.work_items_reschedule(subject_type=SUBJECT, subject_id="D-1",
                                              due_date=new_due) == 1
    review.refresh_from_db()
    assert review.due_date != new_due
    assert [i.due_date for i in ready_items("D-1").values()] == [new_due]
