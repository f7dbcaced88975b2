"""A route's 现场核查 step (issue 13): declared on the user task (``ow:kind`` or an extension
property ``kind``), carried by the running instance into the worklist mirror."""

import pytest

from onewindow.workflow import bpmn, defaults, engine
from onewindow.workflow.errors import RouteInvalid

ROUTE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="承办人">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>t</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="t" name="现场核查">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="kind" value="KIND"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


class _Route:
    def __init__(self, parsed):
        self.bpmn_xml, self.process_id = parsed.xml, parsed.process_id


def test_an_extension_property_marks_an_inspection_step_and_the_instance_keeps_it():
    parsed = bpmn.parse_route(ROUTE.replace("KIND", "inspection"))
    assert parsed.tasks_json() == [{"id": "t", "name": "现场核查", "lane": "承办人",
                                    "kind": "inspection"}]
    started = engine.start(route=_Route(parsed))
    [task] = started.ready_tasks
    assert task.kind == "inspection"
    # The kind is inside the stored state: read back, the task still says so.
    [again] = engine.ready_tasks(state_json=started.state_json)
    assert again.kind == "inspection"


def test_an_unknown_kind_is_refused_naming_the_task():
    with pytest.raises(RouteInvalid) as refused:
        bpmn.parse_route(ROUTE.replace("KIND", "lottery"))
    assert "lottery" in str(refused.value.message)


def test_the_default_route_has_the_step_only_when_asked():
    _, plain = defaults.default_route_xml(handling_type="2")
    _, inspected = defaults.default_route_xml(handling_type="2", inspection=True)
    assert "现场核查" not in plain
    tasks = bpmn.parse_route(inspected, require_outcomes=True).tasks_json()
    assert [(t["name"], t.get("kind", "")) for t in tasks] == [
        ("审查", ""), ("现场核查", "inspection"), ("决定", "")]
