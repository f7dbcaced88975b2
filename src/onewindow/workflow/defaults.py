"""Default approval routes, generated as BPMN 2.0 for items without an uploaded one.

- 即办件 (instant): one task in the 综合受理 lane — the window decides on the spot.
- 承诺件 (promise): 审查 by a handler, 决定 by the chief representative (最多签两次); after
  决定 an exclusive gateway: ``decision == "approve"`` → 准予, ``"deny"`` → 不予,
  ``"return"`` → back to 审查. An item version with a 现场核查 checklist gets a 现场核查
  step (``ow:kind="inspection"``) by the handler between 审查 and 决定.
- 联合审查 (joint, when the version lists 联办机构): the lead department's handler and one
  handler lane per joint department review in parallel (parallel split and join), then
  the chief representative decides as above; ``"return"`` sends it back to all reviewers.

The files carry a diagram (BPMNDiagram) so catalog admins can download one, open it in
Camunda Modeler or bpmn.io, change it and upload it again. They pass the same checks as
uploads (onewindow.workflow.bpmn.parse_route).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from onewindow.identity.models import Role

from .bpmn import INSPECTION
from .lanes import lane_name
from .outcomes import DECISION, OW_NS

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "ow": OW_NS}

INSTANT = "instant"
PROMISE = "promise"
JOINT = "joint"

APPROVE, DENY, RETURN = "approve", "deny", "return"

# Immediate handling type (即办件) of GB/T 39046 A.6; kept here as a literal so the engine
# does not depend on the catalog's code table module.
IMMEDIATE_HANDLING_TYPE = "1"

_SPLIT = re.compile(r"[、，,；;\n\r\t]+")

LANE_HEIGHT = 150
POOL_X, POOL_Y, LANE_X = 160, 80, 190
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "userTask": (100, 80),
         "exclusiveGateway": (50, 50), "parallelGateway": (50, 50)}


def joint_department_names(text: str) -> list[str]:
    """联办机构 as written in the catalog ("市公安局、市消防救援支队") → distinct names."""
    names = []
    for part in _SPLIT.split(text or ""):
        name = part.strip(" 　。.")
        if name and name not in names:
            names.append(name)
    return names


def kind_for(*, handling_type: str, joint_departments: str) -> str:
    if handling_type == IMMEDIATE_HANDLING_TYPE:
        return INSTANT
    if joint_department_names(joint_departments):
        return JOINT
    return PROMISE


@dataclass
class _Node:
    id: str
    kind: str
    name: str
    lane: int
    x: int
    dy: int = 0
    outcome: str = ""  # end events: approve | deny | decision (see outcomes.py)
    task_kind: str = ""  # user tasks: inspection (bpmn.TASK_KINDS)
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return SIZES[self.kind]

    def bounds(self) -> tuple[int, int, int, int]:
        width, height = self.size
        centre_y = POOL_Y + self.lane * LANE_HEIGHT + LANE_HEIGHT // 2 + self.dy
        return self.x, centre_y - height // 2, width, height


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""


class _Route:
    def __init__(self, process_id: str, process_name: str, lanes: list[str]):
        self.process_id = process_id
        self.process_name = process_name
        self.lanes = lanes
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []

    def node(self, node_id: str, kind: str, name: str, lane: int, x: int, dy: int = 0,
             outcome: str = "", task_kind: str = "") -> str:
        self.nodes[node_id] = _Node(node_id, kind, name, lane, x, dy, outcome, task_kind)
        return node_id

    def flow(self, source: str, target: str, name: str = "", condition: str = "") -> None:
        flow_id = f"Flow_{source}_{target}"
        self.flows.append(_Flow(flow_id, source, target, name, condition))
        self.nodes[source].outgoing.append(flow_id)
        self.nodes[target].incoming.append(flow_id)

    def to_xml(self) -> str:
        q = lambda ns, tag: f"{{{ns}}}{tag}"  # noqa: E731
        root = etree.Element(
            q(BPMN, "definitions"), nsmap=NSMAP, id=f"Definitions_{self.process_id}",
            targetNamespace="http://bpmn.io/schema/bpmn", exporter="OneWindow",
            exporterVersion="1",
        )
        collaboration = etree.SubElement(root, q(BPMN, "collaboration"),
                                         id=f"Collaboration_{self.process_id}")
        etree.SubElement(collaboration, q(BPMN, "participant"),
                         id=f"Participant_{self.process_id}", name=self.process_name,
                         processRef=self.process_id)
        process = etree.SubElement(root, q(BPMN, "process"), id=self.process_id,
                                   name=self.process_name, isExecutable="true")
        lane_set = etree.SubElement(process, q(BPMN, "laneSet"), id=f"LaneSet_{self.process_id}")
        for index, name in enumerate(self.lanes):
            lane = etree.SubElement(lane_set, q(BPMN, "lane"), id=f"Lane_{index}", name=name)
            for node in self.nodes.values():
                if node.lane == index:
                    etree.SubElement(lane, q(BPMN, "flowNodeRef")).text = node.id
        flows = {flow.id: flow for flow in self.flows}
        for node in self.nodes.values():
            element = etree.SubElement(process, q(BPMN, node.kind), id=node.id, name=node.name)
            if node.outcome:
                element.set(q(OW_NS, "outcome"), node.outcome)
            if node.task_kind:
                element.set(q(OW_NS, "kind"), node.task_kind)
            for flow_id in node.incoming:
                etree.SubElement(element, q(BPMN, "incoming")).text = flow_id
            for flow_id in node.outgoing:
                etree.SubElement(element, q(BPMN, "outgoing")).text = flow_id
        for flow in flows.values():
            attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
            if flow.name:
                attrs["name"] = flow.name
            element = etree.SubElement(process, q(BPMN, "sequenceFlow"), attrib=attrs)
            if flow.condition:
                condition = etree.SubElement(element, q(BPMN, "conditionExpression"))
                condition.set(q(XSI, "type"), "bpmn:tFormalExpression")
                condition.text = flow.condition
        self._diagram(root, q)
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")

    def _diagram(self, root, q) -> None:
        diagram = etree.SubElement(root, q(BPMNDI, "BPMNDiagram"), id=f"Diagram_{self.process_id}")
        plane = etree.SubElement(diagram, q(BPMNDI, "BPMNPlane"), id=f"Plane_{self.process_id}",
                                 bpmnElement=f"Collaboration_{self.process_id}")
        width = max(node.x + node.size[0] for node in self.nodes.values()) + 80 - POOL_X
        height = LANE_HEIGHT * len(self.lanes)

        def shape(element_id, x, y, w, h, **extra):
            element = etree.SubElement(plane, q(BPMNDI, "BPMNShape"), id=f"{element_id}_di",
                                       bpmnElement=element_id, **extra)
            etree.SubElement(element, q(DC, "Bounds"), x=str(x), y=str(y), width=str(w),
                             height=str(h))

        shape(f"Participant_{self.process_id}", POOL_X, POOL_Y, width, height,
              isHorizontal="true")
        for index in range(len(self.lanes)):
            shape(f"Lane_{index}", LANE_X, POOL_Y + index * LANE_HEIGHT, width - 30,
                  LANE_HEIGHT, isHorizontal="true")
        for node in self.nodes.values():
            extra = {"isMarkerVisible": "true"} if node.kind == "exclusiveGateway" else {}
            shape(node.id, *node.bounds(), **extra)
        for flow in self.flows:
            edge = etree.SubElement(plane, q(BPMNDI, "BPMNEdge"), id=f"{flow.id}_di",
                                    bpmnElement=flow.id)
            for x, y in self._waypoints(self.nodes[flow.source], self.nodes[flow.target]):
                etree.SubElement(edge, q(DI, "waypoint"), x=str(x), y=str(y))

    @staticmethod
    def _waypoints(source: _Node, target: _Node) -> list[tuple[int, int]]:
        sx, sy, sw, sh = source.bounds()
        tx, ty, tw, th = target.bounds()
        s_mid, t_mid = sy + sh // 2, ty + th // 2
        if tx > sx:  # forwards: right side → left side with one elbow
            elbow = (sx + sw + tx) // 2
            if s_mid == t_mid:
                return [(sx + sw, s_mid), (tx, t_mid)]
            return [(sx + sw, s_mid), (elbow, s_mid), (elbow, t_mid), (tx, t_mid)]
        # backwards (退回): out of the bottom, along under both, into the bottom
        below = max(sy + sh, ty + th) + 25
        return [(sx + sw // 2, sy + sh), (sx + sw // 2, below), (tx + tw // 2, below),
                (tx + tw // 2, ty + th)]


def _decision(route: _Route, *, lane: int, x: int, back_to: str) -> None:
    """决定 → gateway → 准予 / 不予 / 退回 (back_to)."""
    route.node("Task_decide", "userTask", "决定", lane, x)
    route.node("Gateway_decision", "exclusiveGateway", "决定结果", lane, x + 160)
    route.node("End_approved", "endEvent", "准予", lane, x + 270, dy=-45, outcome=APPROVE)
    route.node("End_denied", "endEvent", "不予", lane, x + 270, dy=45, outcome=DENY)
    route.flow("Task_decide", "Gateway_decision")
    # Spiff tests conditions top-down by diagram position; approve is drawn highest.
    route.flow("Gateway_decision", "End_approved", "准予", f'decision == "{APPROVE}"')
    route.flow("Gateway_decision", "End_denied", "不予", f'decision == "{DENY}"')
    route.flow("Gateway_decision", back_to, "退回", f'decision == "{RETURN}"')


def _title(name: str, kind: str) -> str:
    return f"{name}（{kind}）" if name else f"{kind}默认路线"


def instant_route(name: str = "") -> str:
    route = _Route("Process_instant", _title(name, "即办件"), [lane_name(Role.WINDOW_CLERK)])
    route.node("StartEvent_accepted", "startEvent", "受理", 0, 230)
    route.node("Task_decide", "userTask", "当场决定", 0, 320)
    route.node("End_done", "endEvent", "办结", 0, 480, outcome=DECISION)
    route.flow("StartEvent_accepted", "Task_decide")
    route.flow("Task_decide", "End_done")
    return route.to_xml()


def promise_route(name: str = "", *, inspection: bool = False) -> str:
    route = _Route("Process_promise", _title(name, "承诺件"),
                   [lane_name(Role.HANDLER), lane_name(Role.CHIEF_REPRESENTATIVE)])
    route.node("StartEvent_accepted", "startEvent", "受理", 0, 230)
    route.node("Task_review", "userTask", "审查", 0, 320)
    route.flow("StartEvent_accepted", "Task_review")
    last, x = "Task_review", 480
    if inspection:
        route.node("Task_inspect", "userTask", "现场核查", 0, 480, task_kind=INSPECTION)
        route.flow("Task_review", "Task_inspect")
        last, x = "Task_inspect", 640
    _decision(route, lane=1, x=x, back_to="Task_review")
    route.flow(last, "Task_decide")
    return route.to_xml()


def joint_route(departments: list[str], name: str = "") -> str:
    """The lead department and each joint department review in parallel, then 决定."""
    lanes = [lane_name(Role.HANDLER)]
    lanes += [lane_name(Role.HANDLER, department) for department in departments]
    lanes.append(lane_name(Role.CHIEF_REPRESENTATIVE))
    route = _Route("Process_joint", _title(name, "联合审查"), lanes)
    route.node("StartEvent_accepted", "startEvent", "受理", 0, 230)
    route.node("Gateway_again", "exclusiveGateway", "", 0, 300)
    route.node("Gateway_split", "parallelGateway", "联合审查", 0, 390)
    route.node("Gateway_join", "parallelGateway", "审查完成", 0, 640)
    route.flow("StartEvent_accepted", "Gateway_again")
    route.flow("Gateway_again", "Gateway_split")
    reviewers = [("Task_review", "审查")]
    reviewers += [(f"Task_review_{n}", f"审查（{department}）")
                  for n, department in enumerate(departments, start=1)]
    for lane, (task_id, label) in enumerate(reviewers):
        route.node(task_id, "userTask", label, lane, 480)
        route.flow("Gateway_split", task_id)
        route.flow(task_id, "Gateway_join")
    _decision(route, lane=len(lanes) - 1, x=740, back_to="Gateway_again")
    route.flow("Gateway_join", "Task_decide")
    return route.to_xml()


def default_route_xml(*, handling_type: str, joint_departments: str = "",
                      name: str = "", inspection: bool = False) -> tuple[str, str]:
    """(kind, BPMN XML) of the default route for an item version's elements;
    ``inspection``: the version has a 现场核查 checklist (a 承诺件 route gets the step)."""
    kind = kind_for(handling_type=handling_type, joint_departments=joint_departments)
    if kind == INSTANT:
        return kind, instant_route(name)
    if kind == JOINT:
        return kind, joint_route(joint_department_names(joint_departments), name)
    return kind, promise_route(name, inspection=inspection)
