"""Two people completing the same task at the same moment: exactly one wins."""

import pytest

from onewindow.catalog.tests.factories import make_item
from onewindow.testing import race
from onewindow.workflow import services
from onewindow.workflow.errors import TaskAlreadyCompleted
from onewindow.workflow.models import WorkItem

from .conftest import SUBJECT, fixture_xml

pytestmark = pytest.mark.django_db(transaction=True)


def test_completing_one_task_twice_concurrently_has_one_winner(postgres_only, tree, subjects,
                                                               now, camunda_xml):
    version = make_item(organisation=tree.dept_a, now=now).current_version
    route = services.route_upload(actor=None, version=version, bpmn_xml=camunda_xml, now=now)
    for round_ in range(5):
        subject_id = f"RACE-{round_}"
        [review] = services.process_start(actor=None, route=route, subject_type=SUBJECT,
                                          subject_id=subject_id, now=now).created
        results = race([
            lambda review=review, actor=actor: services.task_complete(
                actor=actor, work_item=review, opinion=actor.username, now=now)
            for actor in (tree.handler_a, tree.city_handler, tree.handler_a, tree.city_handler)
        ])
        outcomes = sorted(kind for kind, _ in results)
        assert outcomes == ["error", "error", "error", "ok"], results
        errors = [value for kind, value in results if kind == "error"]
        assert all(isinstance(e, TaskAlreadyCompleted) for e in errors), errors
        assert all(e.code == "workflow.task-already-completed" for e in errors)
        # Exactly one completion reached the state and the worklist.
        assert subjects.states[subject_id].version == 2
        items = WorkItem.objects.filter(subject_type=SUBJECT, subject_id=subject_id)
        assert sorted(items.values_list("task_name", "status")) == [
            ("Activity_decide", "READY"), ("Activity_review", "COMPLETED")]


def test_parallel_branches_completed_at_once_both_count(postgres_only, tree, subjects, now):
    version = make_item(organisation=tree.dept_a, now=now).current_version
    route = services.route_upload(actor=None, version=version,
                                  bpmn_xml=fixture_xml("camunda_joint_parallel.bpmn"), now=now)
    for round_ in range(5):
        subject_id = f"JOINT-{round_}"
        items = {i.task_name: i for i in services.process_start(
            actor=None, route=route, subject_type=SUBJECT, subject_id=subject_id,
            now=now).created}
        lead, joint = items["Activity_review_lead"], items["Activity_review_joint"]
        results = race([
            lambda lead=lead: services.task_complete(actor=tree.handler_a, work_item=lead,
                                                     now=now),
            lambda joint=joint: services.task_complete(actor=tree.handler_b, work_item=joint,
                                                       now=now),
        ])
        assert [kind for kind, _ in results] == ["ok", "ok"], results
        # Serialised by the subject lock: the second completion saw the first one's state,
        # so the join fired and the decision is ready — once.
        ready = WorkItem.objects.filter(subject_type=SUBJECT, subject_id=subject_id,
                                        status="READY")
        assert list(ready.values_list("task_name", flat=True)) == ["Activity_decide"]
        assert subjects.states[subject_id].version == 3


def test_worklist_sync_waits_for_a_completion_holding_the_subject(postgres_only, tree,
                                                                   subjects, now):
    """worklist_sync reads the worklist under the subject lock: while another transaction
    holds the subject's work items (a completion in progress), it waits instead of
    acting on READY rows that are about to change."""
    import threading

    from django.db import connections, transaction

    from onewindow.workflow import defaults, engine

    from .conftest import route_of

    instance = engine.start(route=route_of(defaults.joint_route(["乙局"])))
    lanes = {"承办人": tree.dept_a, "承办人（乙局）": tree.dept_b.pk}
    services.worklist_sync(subject_type=SUBJECT, subject_id="LOCK-1", instance=instance,
                           organisation_for_lane=lanes, now=now)
    locked, release, synced = threading.Event(), threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(WorkItem.objects.select_for_update()
                     .filter(subject_type=SUBJECT, subject_id="LOCK-1"))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def sync():
        try:
            services.worklist_sync(subject_type=SUBJECT, subject_id="LOCK-1",
                                   instance=instance, organisation_for_lane=lanes, now=now)
            synced.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    syncer = threading.Thread(target=sync)
    syncer.start()
    waited = not synced.wait(1.0)
    release.set()
    holder.join(10)
    syncer.join(10)
    assert waited, "worklist_sync read the worklist while the subject was locked"
    assert synced.is_set()
    assert WorkItem.objects.filter(subject_type=SUBJECT, subject_id="LOCK-1",
                                   status="READY").count() == 2
