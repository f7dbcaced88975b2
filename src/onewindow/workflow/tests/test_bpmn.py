"""Upload checks: what a modeler user sees when a route is refused."""

import pytest

from onewindow.workflow import bpmn
from onewindow.workflow.errors import (
    CodeRefused,
    RouteInvalid,
    ScriptTaskRefused,
    UnknownLane,
    UnsafeExpression,
    UnsupportedElement,
)

from .conftest import fixture_xml


def test_camunda_modeler_export_is_accepted(camunda_xml):
    route = bpmn.parse_route(camunda_xml)
    assert route.process_id == "Process_food_licence"
    assert route.process_name == "食品经营许可（新办）"
    assert route.lanes_json() == {
        "承办人": {"role": "HANDLER", "department": ""},
        "首席代表": {"role": "CHIEF_REPRESENTATIVE", "department": ""},
    }
    assert [(t.id, t.name, t.lane) for t in route.tasks] == [
        ("Activity_review", "审查", "承办人"), ("Activity_decide", "决定", "首席代表"),
    ]
    # The JUEL wrapper Camunda users write is accepted and removed.
    assert route.conditions["Flow_deny"] == 'decision == "deny"'
    assert len(route.sha256) == 64


def test_bytes_with_bom_and_declaration_are_read(camunda_xml):
    route = bpmn.parse_route(b"\xef\xbb\xbf" + camunda_xml.encode("utf-8"))
    assert route.process_id == "Process_food_licence"


def test_lane_named_by_role_code_is_accepted(camunda_xml):
    xml = camunda_xml.replace('name="首席代表"', 'name="CHIEF_REPRESENTATIVE"')
    assert bpmn.parse_route(xml).lanes["CHIEF_REPRESENTATIVE"].role == "CHIEF_REPRESENTATIVE"


def test_script_task_is_refused_naming_the_element():
    with pytest.raises(ScriptTaskRefused) as excinfo:
        bpmn.parse_route(fixture_xml("camunda_script_task.bpmn"))
    error = excinfo.value
    assert error.code == "workflow.script-task-refused"
    assert "脚本任务" in error.message and "Activity_fee" in error.message
    assert "计算收费" in error.message
    assert error.details["element_id"] == "Activity_fee"
    assert error.details["line"] > 1
    # The task and its script child are one problem, not two.
    assert "problems" not in error.details


def test_unknown_lane_is_refused_with_the_known_roles():
    with pytest.raises(UnknownLane) as excinfo:
        bpmn.parse_route(fixture_xml("camunda_unknown_lane.bpmn"))
    error = excinfo.value
    assert error.code == "workflow.unknown-lane"
    assert "财务科" in error.message and "承办人" in error.message and "首席代表" in error.message
    assert error.details["lane"] == "财务科"


def test_unsafe_condition_is_refused_naming_flow_and_expression():
    with pytest.raises(UnsafeExpression) as excinfo:
        bpmn.parse_route(fixture_xml("camunda_unsafe_condition.bpmn"))
    error = excinfo.value
    assert error.code == "workflow.unsafe-expression"
    assert "Flow_1return" in error.message
    assert '__import__("os").system("x")' in error.message
    assert "函数调用" in error.message
    assert error.details["expression"] == '__import__("os").system("x")'
    assert error.details["gateway_id"] == "Gateway_0vyq0m1"


def test_every_problem_of_a_file_is_reported_at_once():
    # A Camunda 7 export with a task listener, a lane named after an office and a
    # JavaScript condition: one upload tells all three, each with its element and line.
    with pytest.raises(CodeRefused) as excinfo:
        bpmn.parse_route(fixture_xml("camunda_several_problems.bpmn"))
    error = excinfo.value
    assert error.code == "workflow.code-refused"
    problems = error.details["problems"]
    assert [(p["code"], p["element_id"]) for p in problems] == [
        ("workflow.code-refused", "Activity_review"),
        ("workflow.unknown-lane", "Lane_0x4c5ek"),
        ("workflow.code-refused", "Flow_1return"),
    ]
    assert [p["line"] for p in problems] == [22, 12, 56]
    assert "taskListener" in problems[0]["message"] and "请删除" in problems[0]["message"]
    assert "局长办公室" in problems[1]["message"] and "承办人" in problems[1]["message"]
    assert "javascript" in problems[2]["message"]
    assert error.message.startswith("文件中有 3 处问题")


def test_a_single_problem_is_reported_as_before():
    with pytest.raises(UnknownLane) as excinfo:
        bpmn.parse_route(fixture_xml("camunda_unknown_lane.bpmn"))
    assert "problems" not in excinfo.value.details


DECIDE = ('<bpmn:userTask id="Activity_decide" name="决定" '
          'camunda:candidateGroups="CHIEF_REPRESENTATIVE">')
REVIEW_FLOW = ('<bpmn:sequenceFlow id="Flow_1k0j6y3" sourceRef="Activity_review" '
               'targetRef="Activity_decide" />')


@pytest.mark.parametrize("old, new, error, fragment", [
    # Java delegates and listeners of Camunda 7
    (DECIDE,
     '<bpmn:userTask id="Activity_decide" name="决定" camunda:class="org.example.Evil">',
     CodeRefused, "class"),
    ('<bpmn:documentation>承办人审查申请材料，提出审查意见。</bpmn:documentation>',
     '<bpmn:extensionElements><camunda:executionListener event="start">'
     '<camunda:script scriptFormat="groovy">"rm -rf /".execute()</camunda:script>'
     "</camunda:executionListener></bpmn:extensionElements>",
     CodeRefused, "executionListener"),
    ('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "approve"',
     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">'
     'decision == "approve"',
     CodeRefused, "javascript"),
    (DECIDE,
     '<bpmn:serviceTask id="Activity_decide" name="决定" camunda:type="external" '
     'camunda:topic="decide">',
     CodeRefused, "服务任务"),
    ('<bpmn:startEvent id="StartEvent_1" name="受理完成">',
     '<bpmn:startEvent id="StartEvent_1" name="受理完成"><bpmn:timerEventDefinition '
     'id="TimerEventDefinition_1"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H'
     "</bpmn:timeDuration></bpmn:timerEventDefinition>",
     UnsupportedElement, "定时事件"),
    (REVIEW_FLOW,
     '<bpmn:sequenceFlow id="Flow_1k0j6y3" sourceRef="Activity_review" targetRef="Activity_decide">'
     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">ok == True'
     "</bpmn:conditionExpression></bpmn:sequenceFlow>",
     UnsupportedElement, "网关"),
    ('<bpmn:flowNodeRef>Activity_decide</bpmn:flowNodeRef>', "", UnknownLane, "不在任何泳道"),
    ('<bpmn:lane id="Lane_0x4c5ek" name="首席代表">', '<bpmn:lane id="Lane_0x4c5ek">',
     UnknownLane, "未命名"),
    ('id="StartEvent_1"', 'id="Start"', RouteInvalid, "保留字"),
])
def test_refusals(camunda_xml, old, new, error, fragment):
    assert old in camunda_xml
    xml = camunda_xml.replace(old, new)
    if "serviceTask" in new:
        xml = xml.replace("</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"Flow_1k0j6y3\"",
                          "</bpmn:serviceTask>\n    <bpmn:sequenceFlow id=\"Flow_1k0j6y3\"")
    if "timerEventDefinition" in new:
        xml = xml.replace("<bpmn:outgoing>Flow_0s4wq2j</bpmn:outgoing>\n    </bpmn:startEvent>",
                          "</bpmn:startEvent>").replace(
            "</bpmn:timerEventDefinition>\n      ",
            "</bpmn:timerEventDefinition><bpmn:outgoing>Flow_0s4wq2j</bpmn:outgoing>")
    with pytest.raises(error) as excinfo:
        bpmn.parse_route(xml)
    assert fragment in excinfo.value.message, excinfo.value.message


@pytest.mark.parametrize("xml, fragment", [
    ("", "为空"),
    ("not xml at all", "XML"),
    ('<?xml version="1.0"?><root/>', "bpmn:definitions"),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
     "</bpmn:definitions>", "DOCTYPE"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
     'targetNamespace="x"/>', "可执行"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
     'targetNamespace="x"><bpmn:process id="P" isExecutable="true"><bpmn:userTask id="T"/>'
     "</bpmn:process></bpmn:definitions>", "泳道"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
     'targetNamespace="x"><bpmn:process id="P" isExecutable="true"><bpmn:laneSet id="L">'
     '<bpmn:lane id="L1" name="承办人"><bpmn:flowNodeRef>T</bpmn:flowNodeRef></bpmn:lane>'
     '</bpmn:laneSet><bpmn:userTask id="T"/></bpmn:process></bpmn:definitions>', "开始事件"),
])
def test_malformed_files_are_refused(xml, fragment):
    with pytest.raises(RouteInvalid) as excinfo:
        bpmn.parse_route(xml)
    assert excinfo.value.code in {"workflow.invalid-bpmn", "workflow.unknown-lane"}
    assert fragment in excinfo.value.message or fragment in str(excinfo.value.details), (
        excinfo.value.message)


def test_schema_errors_are_reported_with_a_line(camunda_xml):
    xml = camunda_xml.replace('<bpmn:sequenceFlow id="Flow_0s4wq2j" sourceRef="StartEvent_1" '
                              'targetRef="Activity_review" />',
                              '<bpmn:sequenceFlow id="Flow_0s4wq2j" targetRef="Activity_review" '
                              'bogus="1" />')
    with pytest.raises(RouteInvalid) as excinfo:
        bpmn.parse_route(xml)
    assert "BPMN 2.0" in excinfo.value.message
    assert excinfo.value.details["line"]


def test_two_executable_processes_are_refused(camunda_xml):
    second = ('<bpmn:process id="Process_other" isExecutable="true">'
              '<bpmn:startEvent id="S2"/></bpmn:process>\n  <bpmndi:BPMNDiagram')
    xml = camunda_xml.replace("<bpmndi:BPMNDiagram", second, 1)
    with pytest.raises(RouteInvalid, match="只能包含一个可执行流程"):
        bpmn.parse_route(xml)


def test_a_process_without_an_id_is_refused(camunda_xml):
    # It used to parse, and then storing the route failed on its empty process id.
    xml = camunda_xml.replace('<bpmn:process id="Process_food_licence" ', "<bpmn:process ", 1)
    with pytest.raises(RouteInvalid) as excinfo:
        bpmn.parse_route(xml)
    assert excinfo.value.code == "workflow.invalid-bpmn"
    assert "流程没有 id" in excinfo.value.message


def test_spec_is_cached_by_content(camunda_xml):
    first = bpmn.spec_for(camunda_xml, "Process_food_licence")
    assert bpmn.spec_for(camunda_xml, "Process_food_licence") is first
