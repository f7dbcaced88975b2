"""Two people completing one task of a case at the same moment: exactly one wins, the case
records one opinion (PostgreSQL: the row locks under test; follows
workflow/tests/test_concurrency.py)."""

import pytest

from onewindow.cases import services
from onewindow.cases.models import CaseAction
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import StaffFactory, grant
from onewindow.testing import race
from onewindow.testing.world import build_world
from onewindow.workflow.errors import TaskAlreadyCompleted
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db(transaction=True)


def test_completing_a_case_task_twice_concurrently_has_one_winner(postgres_only, now):
    world = build_world(now=now)
    second = StaffFactory(organisation=world.dept, display_name="承办人乙")
    grant(second, Role.HANDLER, world.dept)
    for _ in range(3):
        case = submit_online(world, now)
        services.case_accept(actor=world.clerk, case=case, now=now)
        review = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                      status="READY")
        results = race([
            lambda actor=actor, review=review: services.case_task_complete(
                actor=actor, work_item=review, opinion=actor.username, now=now)
            for actor in (world.handler, second, world.handler, second)
        ])
        outcomes = sorted(kind for kind, _ in results)
        assert outcomes == ["error", "error", "error", "ok"], results
        errors = [value for kind, value in results if kind == "error"]
        assert all(isinstance(e, TaskAlreadyCompleted) for e in errors), errors
        assert CaseAction.objects.filter(case=case, kind="TASK_COMPLETE").count() == 1
        assert list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                            status="READY")
                    .values_list("task_label", flat=True)) == ["决定"]
