import pytest
from lxml import etree

from onewindow.workflow import bpmn, defaults


def test_joint_department_names_split_on_chinese_separators():
    text = "市公安局、市消防救援支队；市公安局\n市场监督管理局（知识产权局）。"
    assert defaults.joint_department_names(text) == [
        "市公安局", "市消防救援支队", "市场监督管理局（知识产权局）"]
    assert defaults.joint_department_names("") == []


@pytest.mark.parametrize("handling_type, joint, kind", [
    ("1", "", "instant"), ("1", "市公安局", "instant"), ("2", "", "promise"),
    ("2", "市公安局", "joint"), ("9", "", "promise"),
])
def test_kind_follows_handling_type_and_joint_departments(handling_type, joint, kind):
    assert defaults.kind_for(handling_type=handling_type, joint_departments=joint) == kind


def test_instant_route_is_one_window_task():
    route = bpmn.parse_route(defaults.instant_route("护照换发"))
    assert route.process_name == "护照换发（即办件）"
    assert [(t.name, t.lane) for t in route.tasks] == [("当场决定", "综合受理")]
    assert route.lanes["综合受理"].role == "WINDOW_CLERK"


def test_promise_route_has_two_signatures_and_a_decision_gateway():
    route = bpmn.parse_route(defaults.promise_route())
    assert [(t.name, t.lane) for t in route.tasks] == [("审查", "承办人"), ("决定", "首席代表")]
    assert sorted(route.conditions.values()) == [
        'decision == "approve"', 'decision == "deny"', 'decision == "return"']


def test_joint_route_has_a_lane_per_department():
    route = bpmn.parse_route(defaults.joint_route(["乙局", "市场监督管理局（知识产权局）"]))
    assert {name: lane.department for name, lane in route.lanes.items()} == {
        "承办人": "", "承办人（乙局）": "乙局",
        "承办人（市场监督管理局（知识产权局））": "市场监督管理局（知识产权局）", "首席代表": "",
    }
    assert [t.name for t in route.tasks] == [
        "审查", "审查（乙局）", "审查（市场监督管理局（知识产权局））", "决定"]


def test_generated_files_carry_a_diagram_for_the_modeler():
    root = etree.fromstring(defaults.promise_route().encode())
    ns = {"bpmndi": defaults.BPMNDI}
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", ns)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", ns)}
    assert {"Task_review", "Task_decide", "Gateway_decision", "Lane_0", "Lane_1"} <= shapes
    flows = {f.get("id") for f in root.iterfind(f".//{{{defaults.BPMN}}}sequenceFlow")}
    assert edges == flows


def test_default_route_xml_is_deterministic():
    a = defaults.default_route_xml(handling_type="2", joint_departments="乙局", name="规划许可")
    b = defaults.default_route_xml(handling_type="2", joint_departments="乙局", name="规划许可")
    assert a == b and a[0] == "joint"
