"""A task a person may work on is a task their worklist shows, and the other way round
(can_work_on and work_items_q), across departments, the centre and a city-wide handler."""

import pytest

from onewindow.catalog.tests.factories import make_item
from onewindow.testing import assert_parity
from onewindow.workflow import services
from onewindow.workflow.models import WorkItem
from onewindow.workflow.permissions import can_work_on, work_items_q

from .conftest import SUBJECT, fixture_xml

pytestmark = pytest.mark.django_db


def test_work_rule_and_worklist_filter_agree(tree, subjects, now):
    version = make_item(organisation=tree.dept_a, now=now).current_version
    joint = services.route_upload(actor=tree.admin_a, version=version,
                                  bpmn_xml=fixture_xml("camunda_joint_parallel.bpmn"), now=now)
    two_lanes = services.route_upload(actor=tree.admin_a, version=version,
                                      bpmn_xml=fixture_xml("camunda_two_lanes.bpmn"), now=now)
    for index, route in enumerate((joint, two_lanes)):
        services.process_start(actor=None, route=route, subject_type=SUBJECT,
                               subject_id=f"P-{index}", now=now)
    items = {f"{w.subject_id} {w.task_name}": w for w in WorkItem.objects.all()}
    assert len({w.organisation_id for w in items.values()}) >= 2  # lead and joint departments
    actors = {name: getattr(tree, name) for name in (
        "handler_a", "chief_a", "handler_b", "handler_c", "clerk", "admin_a", "city_handler")}
    assert_parity(can=lambda a, w: can_work_on(actor=a, work_item=w),
                  q=lambda a: work_items_q(actor=a), queryset=WorkItem.objects.all(),
                  actors=actors, objects=items)
