"""End events declare what they mean (approve / deny / decision); an upload that leaves
one undeclared is refused with every such end event listed, and a finished case is decided
by what the end event it reached declares, whatever its id says."""

import re

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog.tests.factories import make_item
from onewindow.workflow import bpmn, outcomes, selectors, services
from onewindow.workflow.errors import UnknownLane
from onewindow.workflow.models import RouteDefinition, WorkItem

from .conftest import SUBJECT, fixture_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(tree, now):
    return make_item(organisation=tree.dept_a, now=now, name="食品经营许可").current_version


def two_lanes(**replace: str) -> str:
    xml = fixture_xml("camunda_two_lanes.bpmn")
    for old, new in replace.items():
        xml = xml.replace(old, new)
    return xml


def test_both_ways_of_declaring_an_outcome_are_read():
    camunda = bpmn.parse_route(fixture_xml("camunda_two_lanes.bpmn"), require_outcomes=True)
    assert camunda.end_outcomes == {"Event_approved": "approve", "Event_denied": "deny"}
    attribute = bpmn.parse_route(fixture_xml("camunda_joint_parallel.bpmn"),
                                 require_outcomes=True)
    assert set(attribute.end_outcomes.values()) == {"approve", "deny"}


def test_an_upload_with_undeclared_end_events_lists_every_one_and_stores_nothing(
        version, tree, now):
    xml = re.sub(r"\s*<bpmn:extensionElements>\s*<camunda:properties>.*?"
                 r"</bpmn:extensionElements>", "", fixture_xml("camunda_two_lanes.bpmn"),
                 flags=re.S)
    xml = xml.replace('name="不予许可">', 'name="不予许可" xmlns:ow="urn:onewindow:bpmn:1" '
                      'ow:outcome="maybe">')
    # A lane that names no role too: every problem of the file comes back at once.
    xml = xml.replace('name="承办人"', 'name="前台小王"', 1)
    with pytest.raises(UnknownLane) as exc:
        services.route_upload(actor=tree.admin_a, version=version, bpmn_xml=xml, now=now)
    problems = exc.value.details["problems"]
    ends = {p["element_id"]: p["found"] for p in problems
            if p["code"] == "workflow.end-outcome-missing"}
    assert ends == {"Event_approved": None, "Event_denied": "maybe"}
    assert {p["code"] for p in problems} == {"workflow.unknown-lane",
                                             "workflow.end-outcome-missing"}
    assert all(p["line"] and p["element_id"] for p in problems)
    assert not RouteDefinition.objects.filter(version=version).exists()
    assert not AuditEvent.objects.filter(action="workflow.route_uploaded").exists()


def test_the_declared_outcome_decides_not_the_end_events_id(version, tree, subjects, now):
    # Modeler-generated ids say nothing; the declarations say which end is which.
    xml = two_lanes(Event_approved="Event_0k2x9p1", Event_denied="Event_1aq7mz3")
    route = services.route_upload(actor=tree.admin_a, version=version, bpmn_xml=xml, now=now)
    assert route.end_outcomes == {"Event_0k2x9p1": "approve", "Event_1aq7mz3": "deny"}
    [review] = services.process_start(actor=None, route=route, subject_type=SUBJECT,
                                      subject_id="O-1", now=now).created
    services.task_complete(actor=tree.handler_a, work_item=review, now=now)
    decide = services_ready(SUBJECT, "O-1")
    done = services.task_complete(actor=tree.chief_a, work_item=decide,
                                  data={"decision": "deny"}, now=now)
    assert done.instance.end_events == ("Event_1aq7mz3",)
    assert selectors.route_outcome(route_id=route.pk, end_events=done.instance.end_events,
                                   decision=done.instance.decision) == "deny"


def test_a_decision_end_takes_the_steps_decision_and_disagreement_gives_none():
    declared = {"End_done": "decision", "End_ok": "approve", "End_no": "deny"}
    assert outcomes.outcome_of(declared, ("End_done",), "approve") == "approve"
    assert outcomes.outcome_of(declared, ("End_done",), "deny") == "deny"
    assert outcomes.outcome_of(declared, ("End_done",), None) is None
    assert outcomes.outcome_of(declared, ("End_ok",), "deny") == "approve"
    # Two ends reached with different meanings (parallel ends): no single answer.
    assert outcomes.outcome_of(declared, ("End_ok", "End_no"), None) is None
    assert outcomes.outcome_of(declared, ("End_unknown",), "approve") is None


def services_ready(subject_type: str, subject_id: str) -> WorkItem:
    return WorkItem.objects.get(subject_type=subject_type, subject_id=subject_id,
                                status=WorkItem.Status.READY)
