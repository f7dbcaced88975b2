"""Reading and checking uploaded BPMN 2.0 routes.

A route is accepted only if it is plain BPMN that a person can approve step by step:
user (or manual) tasks in lanes named after roles, start/end events, exclusive, inclusive
and parallel gateways, sequence flows whose conditions are in the safe expression
language (onewindow.common.expressions). Everything that would run code — script
tasks, service tasks, Camunda listeners and Java delegates, script conditions — is
refused with ``workflow.script-task-refused`` / ``workflow.code-refused``; other BPMN
elements the platform does not run (timers, messages, sub-processes …) with
``workflow.unsupported-element``. Every message names the element (id and name) and, where
known, the line of the file.

The XML is parsed without DTDs, entities or network access (no XXE, no entity bombs),
checked against the BPMN 2.0 schema and then parsed by SpiffWorkflow, whose spec is what
the engine runs.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy, pgettext_lazy
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from onewindow.common import expressions

from . import outcomes
from .errors import (
    CodeRefused,
    RouteInvalid,
    ScriptTaskRefused,
    UnknownLane,
    UnsafeExpression,
    UnsupportedElement,
)
from .lanes import LaneRole, known_lane_names, parse_lane_name

MAX_BYTES = 2 * 1024 * 1024

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DIAGRAM_NS = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN_NS}

HUMAN_TASKS = {"userTask", "manualTask", "task"}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway"}
CONDITIONAL_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}

ALLOWED = {
    "definitions", "collaboration", "participant", "process", "laneSet", "lane",
    "childLaneSet", "flowNodeRef", "documentation", "extensionElements", "textAnnotation",
    "text", "association", "group", "category", "categoryValue", "startEvent", "endEvent",
    "sequenceFlow", "conditionExpression", "incoming", "outgoing",
    "terminateEventDefinition",
} | HUMAN_TASKS | GATEWAYS

# Plural nouns for "the route may not contain …"; a context keeps 信号, 错误 … apart from
# the same words elsewhere.
ELEMENT_LABELS = {
    "scriptTask": pgettext_lazy("BPMN element", "脚本任务"),
    "script": pgettext_lazy("BPMN element", "脚本"),
    "serviceTask": pgettext_lazy("BPMN element", "服务任务"),
    "businessRuleTask": pgettext_lazy("BPMN element", "业务规则任务"),
    "sendTask": pgettext_lazy("BPMN element", "发送任务"),
    "receiveTask": pgettext_lazy("BPMN element", "接收任务"),
    "subProcess": pgettext_lazy("BPMN element", "子流程"),
    "callActivity": pgettext_lazy("BPMN element", "调用活动"),
    "transaction": pgettext_lazy("BPMN element", "事务子流程"),
    "adHocSubProcess": pgettext_lazy("BPMN element", "自由子流程"),
    "boundaryEvent": pgettext_lazy("BPMN element", "边界事件"),
    "intermediateCatchEvent": pgettext_lazy("BPMN element", "中间捕获事件"),
    "intermediateThrowEvent": pgettext_lazy("BPMN element", "中间抛出事件"),
    "eventBasedGateway": pgettext_lazy("BPMN element", "事件网关"),
    "complexGateway": pgettext_lazy("BPMN element", "复杂网关"),
    "timerEventDefinition": pgettext_lazy("BPMN element", "定时事件"),
    "messageEventDefinition": pgettext_lazy("BPMN element", "消息事件"),
    "signalEventDefinition": pgettext_lazy("BPMN element", "信号事件"),
    "errorEventDefinition": pgettext_lazy("BPMN element", "错误事件"),
    "escalationEventDefinition": pgettext_lazy("BPMN element", "升级事件"),
    "conditionalEventDefinition": pgettext_lazy("BPMN element", "条件事件"),
    "compensateEventDefinition": pgettext_lazy("BPMN element", "补偿事件"),
    "linkEventDefinition": pgettext_lazy("BPMN element", "链接事件"),
    "cancelEventDefinition": pgettext_lazy("BPMN element", "取消事件"),
    "messageFlow": pgettext_lazy("BPMN element", "消息流"),
    "multiInstanceLoopCharacteristics": pgettext_lazy("BPMN element", "多实例"),
    "standardLoopCharacteristics": pgettext_lazy("BPMN element", "循环"),
    "dataObject": pgettext_lazy("BPMN element", "数据对象"),
    "dataObjectReference": pgettext_lazy("BPMN element", "数据对象"),
    "dataStore": pgettext_lazy("BPMN element", "数据存储"),
    "dataStoreReference": pgettext_lazy("BPMN element", "数据存储"),
    "dataInputAssociation": pgettext_lazy("BPMN element", "数据关联"),
    "dataOutputAssociation": pgettext_lazy("BPMN element", "数据关联"),
    "ioSpecification": pgettext_lazy("BPMN element", "输入输出定义"),
    "message": pgettext_lazy("BPMN element", "消息"),
    "signal": pgettext_lazy("BPMN element", "信号"),
    "error": pgettext_lazy("BPMN element", "错误"),
    "escalation": pgettext_lazy("BPMN element", "升级"),
    "correlationProperty": pgettext_lazy("BPMN element", "关联属性"),
    "inputOutput": pgettext_lazy("BPMN element", "输入输出映射"),
}

# Extension elements (camunda:, zeebe:, spiffworkflow: …) that hold or call code.
CODE_ELEMENTS = {
    "script", "executionListener", "taskListener", "connector", "preScript", "postScript",
    "taskDefinition", "calledDecision",
}
UNSUPPORTED_EXTENSIONS = {"inputOutput", "ioMapping"}
# Extension attributes that name code to run (Java classes, expressions, external topics).
CODE_ATTRIBUTES = {
    "class", "expression", "delegateExpression", "resultVariable", "topic", "decisionRef",
    "resource",
}


# What a user task is, besides an approval step: ``inspection`` (现场核查), whose handler
# records a checklist before the step may be completed. Declared like an end event's
# outcome (outcomes.py): ``ow:kind="inspection"`` or an extension property named ``kind``.
INSPECTION = "inspection"
TASK_KINDS = (INSPECTION,)


@dataclass(frozen=True)
class TaskInfo:
    id: str
    name: str
    lane: str
    kind: str = ""

    def as_dict(self) -> dict:
        facts = {"id": self.id, "name": self.name, "lane": self.lane}
        if self.kind:
            facts["kind"] = self.kind
        return facts


@dataclass(frozen=True)
class ParsedRoute:
    process_id: str
    process_name: str
    lanes: dict[str, LaneRole]
    tasks: list[TaskInfo]
    conditions: dict[str, str] = field(default_factory=dict)  # sequence flow id → condition
    end_outcomes: dict[str, str] = field(default_factory=dict)  # end event id → outcome
    sha256: str = ""
    xml: str = ""

    def lanes_json(self) -> dict:
        return {name: lane.as_dict() for name, lane in self.lanes.items()}

    def tasks_json(self) -> list[dict]:
        return [task.as_dict() for task in self.tasks]


def sha256_of(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


# --- reading the XML -----------------------------------------------------------------------


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _as_bytes(xml: str | bytes) -> bytes:
    if isinstance(xml, str):
        # lxml refuses str with an encoding declaration; the text is already decoded.
        return _DECLARATION.sub(b"", xml.encode("utf-8"), count=1)
    return xml


def decode(xml: str | bytes) -> str:
    """The file as text (UTF-8, with or without BOM), or ``workflow.invalid-bpmn``."""
    if isinstance(xml, str):
        return xml
    try:
        return xml.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RouteInvalid(gettext_lazy("BPMN 文件须为 UTF-8 编码。")) from None


def read_xml(xml: str | bytes) -> etree._Element:
    data = _as_bytes(xml)
    if len(data) > MAX_BYTES:
        raise RouteInvalid(
            gettext_lazy("BPMN 文件过大（上限 %(max_bytes)s MB）。")
            % {"max_bytes": MAX_BYTES // 1024 // 1024}
        )
    if not data.strip():
        raise RouteInvalid(gettext_lazy("BPMN 文件为空。"))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise RouteInvalid(
            gettext_lazy("不是格式正确的 XML：%(exc_msg)s（第 %(exc_lineno)s 行）。")
            % {"exc_msg": exc.msg, "exc_lineno": exc.lineno},
            details={"line": exc.lineno},
        ) from None
    if root.getroottree().docinfo.doctype:
        raise RouteInvalid(gettext_lazy("BPMN 文件不能包含 DOCTYPE 声明。"))
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise RouteInvalid(
            gettext_lazy("不是 BPMN 2.0 文件：根元素须为 bpmn:definitions"
                         "（命名空间 http://www.omg.org/spec/BPMN/20100524/MODEL）。")
        )
    return root


_validator: BpmnValidator | None = None
_validator_lock = threading.Lock()


def _schema_check(root: etree._Element, problems: Problems) -> None:
    """Every schema error of the file (lxml keeps them all; SpiffWorkflow's own
    ``validate`` reports only the last)."""
    global _validator
    with _validator_lock:
        if _validator is None:
            _validator = BpmnValidator()
        _validator.preprocess(root)
        schema = _validator.validator
        if schema.validate(root):
            return
        errors = list(schema.error_log)
    for error in errors:
        problems.add(
            RouteInvalid(
                gettext_lazy("不符合 BPMN 2.0 规范：%(error_message)s（第 %(error_line)s 行）。")
                % {"error_message": error.message, "error_line": error.line},
                details={"line": error.line},
            )
        )


# --- checking what the route may contain ----------------------------------------------------


MAX_PROBLEMS = 50


class Problems:
    """Every problem found in one file, so a modeler user fixes them in one round instead
    of one upload per problem. Each is the error that would have been raised alone."""

    def __init__(self) -> None:
        self.items: list[RouteInvalid] = []

    def add(self, error: RouteInvalid) -> None:
        # A script task and its script child name the same element: say it once.
        if any(e.code == error.code and e.message == error.message for e in self.items):
            return
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(error)

    def raise_if_any(self) -> None:
        """One problem raises as itself; several raise as the first one's class with every
        problem listed in the message and in ``details["problems"]`` (code, message,
        element id and type, line)."""
        if not self.items:
            return
        first = self.items[0]
        if len(self.items) == 1:
            raise first
        listed = " ".join(f"{n}. {e.message}" for n, e in enumerate(self.items, start=1))
        details = dict(first.details) if isinstance(first.details, dict) else {}
        details["problems"] = [
            {"code": e.code, "message": str(e.message),
             **(e.details if isinstance(e.details, dict) else {})}
            for e in self.items
        ]
        if len(self.items) >= MAX_PROBLEMS:
            text = gettext_lazy("文件中有 %(count)s 处问题（只列出前 %(max)s 处），"
                                "请一并修改后再上传：%(listed)s")
        else:
            text = gettext_lazy("文件中有 %(count)s 处问题，请一并修改后再上传：%(listed)s")
        raise type(first)(text % {"count": len(self.items), "max": MAX_PROBLEMS,
                                  "listed": listed}, details=details)


def _local(tag) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments and processing instructions
        return "", ""
    qname = etree.QName(tag)
    return qname.namespace or "", qname.localname


def _owner(element: etree._Element) -> etree._Element:
    """The nearest ancestor (or self) with an id: what a person finds in the modeler."""
    node = element
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return node if node is not None else element


def _where(element: etree._Element) -> tuple[str, dict]:
    owner = _owner(element)
    _, local = _local(owner.tag)
    element_id = owner.get("id") or ""
    name = owner.get("name") or ""
    label = f"“{name}”（{element_id}）" if name else f"“{element_id}”"
    details = {"element_id": element_id, "element_type": local, "line": owner.sourceline}
    return label, details


def _check_elements(root: etree._Element, problems: Problems) -> None:
    for element in root.iter():
        namespace, local = _local(element.tag)
        if not local:
            continue
        if namespace == BPMN_NS:
            _check_bpmn_element(element, local, problems)
        elif namespace in DIAGRAM_NS:
            continue
        else:
            _check_extension_element(element, local, problems)
        _check_attributes(element, problems)


def _check_bpmn_element(element: etree._Element, local: str, problems: Problems) -> None:
    if local in ALLOWED:
        return
    where, details = _where(element)
    if local in {"scriptTask", "script"}:
        problems.add(ScriptTaskRefused(
            gettext_lazy("审批路线不允许脚本任务：%(where)s。路线只能由人工任务、网关和顺序流组成，"
                         "平台不执行任何脚本代码。") % {"where": where},
            details=details,
        ))
        return
    if local in {"serviceTask", "businessRuleTask"}:
        problems.add(
            CodeRefused(
                gettext_lazy(
                    "审批路线不允许%(element_labels)s：%(where)s。平台不调用外部代码或决策表，"
                    "请改为由人工完成的用户任务。"
                )
                % {"element_labels": ELEMENT_LABELS[local], "where": where},
                details=details,
            )
        )
        return
    label = ELEMENT_LABELS.get(local, f"bpmn:{local}")
    problems.add(
        UnsupportedElement(
            gettext_lazy(
                "审批路线不支持%(label)s（bpmn:%(local)s）：%(where)s。可用元素：开始事件、结束事件、"
                "用户任务、排他网关、包容网关、并行网关和顺序流。"
            )
            % {"label": label, "local": local, "where": where},
            details=details,
        )
    )


def _check_extension_element(element: etree._Element, local: str,
                             problems: Problems) -> None:
    if local in CODE_ELEMENTS:
        where, details = _where(element)
        problems.add(
            CodeRefused(
                gettext_lazy(
                    "审批路线不允许扩展代码（%(localname)s）：%(where)s。"
                    "监听器、脚本和连接器不会被执行，请删除。"
                )
                % {"localname": etree.QName(element).localname, "where": where},
                details=details,
            )
        )
    elif local in UNSUPPORTED_EXTENSIONS:
        where, details = _where(element)
        problems.add(
            UnsupportedElement(
                gettext_lazy(
                    "审批路线不支持输入输出映射：%(where)s。任务数据由办理人提交，请删除映射。"
                )
                % {"where": where},
                details=details,
            )
        )


def _check_attributes(element: etree._Element, problems: Problems) -> None:
    for name in element.attrib:
        namespace, local = _local(name)
        if not namespace or namespace in {BPMN_NS, XSI_NS} | DIAGRAM_NS:
            continue
        if local in CODE_ATTRIBUTES:
            where, details = _where(element)
            problems.add(
                CodeRefused(
                    gettext_lazy(
                        "审批路线不允许调用代码的属性 %(localname)s：%(where)s。"
                        "平台不执行 Java 类、表达式委托或外部任务。"
                    )
                    % {"localname": etree.QName(name).localname, "where": where},
                    details=details,
                )
            )


# Names SpiffWorkflow gives its own task specs; an element with such an id would clash.
RESERVED_IDS = {"Start", "End", "Root"}


def _check_ids(process: etree._Element, problems: Problems) -> None:
    for element in process.iter():
        if element.get("id") in RESERVED_IDS:
            where, details = _where(element)
            problems.add(
                RouteInvalid(
                    gettext_lazy(
                        "元素%(where)s的 id 为保留字 %(element_id)s，请在建模器中改为其他 id。"
                    )
                    % {"where": where, "element_id": element.get("id")},
                    details=details,
                )
            )


def _executable_process(root: etree._Element) -> etree._Element:
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        raise RouteInvalid(
            gettext_lazy('文件中没有可执行的流程（bpmn:process isExecutable="true"）。')
        )
    if len(executable) > 1:
        ids = "、".join(p.get("id") or "?" for p in executable)
        raise RouteInvalid(
            gettext_lazy(
                "一条审批路线只能包含一个可执行流程，文件中有 %(executable_count)s 个：%(ids)s。"
            )
            % {"executable_count": len(executable), "ids": ids}
        )
    return executable[0]


def _innermost_lanes(process: etree._Element) -> list[etree._Element]:
    return [
        lane for lane in process.iter(f"{{{BPMN_NS}}}lane")
        if lane.find("bpmn:childLaneSet", NS) is None
    ]


def _check_lanes(process: etree._Element, problems: Problems
                 ) -> tuple[dict[str, LaneRole], dict[str, str]]:
    """Map every innermost lane to a role; return (lanes, flow node id → lane name)."""
    lanes: dict[str, LaneRole] = {}
    node_lane: dict[str, str] = {}
    for lane in _innermost_lanes(process):
        name = (lane.get("name") or "").strip()
        parsed = parse_lane_name(name)
        if parsed is None:
            _, details = _where(lane)
            shown = (f"“{name}”" if name
                     else gettext_lazy("“%(id)s”（未命名）") % {"id": lane.get("id")})
            problems.add(
                UnknownLane(
                    gettext_lazy(
                        "泳道%(shown)s不对应已知角色。泳道须以角色命名：%(known_lane_names)s；"
                        "联合审查的部门泳道写作“承办人（部门名称）”。"
                    )
                    % {"shown": shown, "known_lane_names": known_lane_names()},
                    details={**details, "lane": name},
                )
            )
        else:
            lanes[name] = parsed
        # Tasks in a misnamed lane are still in a lane: one problem, not one per task.
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            if ref.text:
                node_lane[ref.text.strip()] = name
    return lanes, node_lane


def _check_tasks(process: etree._Element, node_lane: dict[str, str],
                 problems: Problems) -> list[TaskInfo]:
    tasks = []
    for element in process.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in HUMAN_TASKS)):
        task_id = element.get("id") or ""
        lane = node_lane.get(task_id)
        if lane is None:
            where, details = _where(element)
            problems.add(
                UnknownLane(
                    gettext_lazy(
                        "任务%(where)s不在任何泳道中。每个任务须放在以角色命名的泳道里"
                        "（%(known_lane_names)s），平台据此分派待办。"
                    )
                    % {"where": where, "known_lane_names": known_lane_names()},
                    details=details,
                )
            )
            continue
        kind = outcomes.declared(element, "kind") or ""
        if kind and kind not in TASK_KINDS:
            where, details = _where(element)
            problems.add(RouteInvalid(
                gettext_lazy("任务%(where)s的环节类型 kind “%(kind)s” 无效：只能是 inspection"
                             "（现场核查），或不声明。") % {"where": where, "kind": kind},
                details={**details, "kind": kind},
            ))
            continue
        tasks.append(TaskInfo(id=task_id, name=element.get("name") or task_id, lane=lane,
                              kind=kind))
    if not tasks:
        problems.add(
            RouteInvalid(gettext_lazy("审批路线中没有用户任务：至少需要一个由人办理的环节。"))
        )
    return tasks


def _check_events(process: etree._Element, problems: Problems) -> None:
    where = {"element_id": process.get("id"), "element_type": "process",
             "line": process.sourceline}
    if process.find("bpmn:startEvent", NS) is None:
        problems.add(
            RouteInvalid(
                gettext_lazy("流程没有开始事件：请在建模器中添加一个开始事件（受理完成）。"),
                details=where,
            )
        )
    if process.find("bpmn:endEvent", NS) is None:
        problems.add(
            RouteInvalid(
                gettext_lazy("流程没有结束事件：请在建模器中添加至少一个结束事件（办结）。"),
                details=where,
            )
        )


def _check_conditions(process: etree._Element, problems: Problems) -> dict[str, str]:
    by_id = {el.get("id"): el for el in process.iter() if el.get("id")}
    conditions = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is None:
            continue
        where, details = _where(flow)
        source = by_id.get(flow.get("sourceRef"))
        source_kind = _local(source.tag)[1] if source is not None else ""
        if source is None or source_kind not in CONDITIONAL_GATEWAYS:
            problems.add(
                UnsupportedElement(
                    gettext_lazy(
                        "顺序流%(where)s带有条件，但条件只能写在排他网关或包容网关之后的顺序流上。"
                    )
                    % {"where": where},
                    details=details,
                )
            )
            continue
        language = condition.get("language")
        if language:
            problems.add(
                CodeRefused(
                    gettext_lazy(
                        "顺序流%(where)s的条件使用了脚本语言 %(language)s。条件只能是表达式，"
                        '如 decision == "approve"。'
                    )
                    % {"where": where, "language": language},
                    details={**details, "language": language},
                )
            )
            continue
        text = condition.text or ""
        try:
            conditions[flow.get("id")] = expressions.check(text)
        except expressions.ExpressionError as exc:
            gateway = source.get("name") or source.get("id")
            problems.add(
                UnsafeExpression(
                    gettext_lazy(
                        "顺序流%(where)s（网关“%(gateway)s”之后）的条件 %(text)s 不被允许："
                        "%(exc_reason)s。条件只能比较任务数据，可用 == != < <= > >= in、not in、"
                        'and、or、not 和常量，如 decision == "approve"。'
                    )
                    % {
                        "where": where,
                        "gateway": gateway,
                        "text": repr(text.strip()),
                        "exc_reason": exc.reason,
                    },
                    details={**details, "expression": text.strip(), "gateway_id": source.get("id")},
                )
            )
    return conditions


# --- SpiffWorkflow ---------------------------------------------------------------------------


def _spiff_parse(root: etree._Element, process_id: str, kinds: dict[str, str] | None = None):
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(root, filename="route.bpmn")
        spec = parser.get_spec(process_id)
        subprocesses = parser.get_subprocess_specs(process_id)
        # The task kinds ride in the spec (SpiffWorkflow serialises ``extensions`` with
        # the instance), so a running case knows an inspection step without reading the
        # route again.
        for task_spec in (spec.task_specs.values() if spec is not None else ()):
            kind = (kinds or {}).get(getattr(task_spec, "bpmn_id", None) or "")
            if kind:
                task_spec.extensions = {**(getattr(task_spec, "extensions", None) or {}),
                                        "kind": kind}
    except ValidationException as exc:
        node_id = getattr(exc, "id", "") or ""
        found = root.xpath("//*[@id=$id]", id=node_id) if node_id else []
        line = found[0].sourceline if found else None
        where = gettext_lazy("（元素 %(id)s）") % {"id": node_id} if node_id else ""
        raise RouteInvalid(
            gettext_lazy("流程结构有误%(where)s：%(exc_args)s")
            % {"where": where, "exc_args": exc.args[0] if exc.args else exc},
            details={"element_id": node_id, "line": line},
        ) from None
    return spec, subprocesses


def _parse(xml: str | bytes, *, require_outcomes: bool = False
           ) -> tuple[ParsedRoute, object, dict]:
    text = decode(xml)
    root = read_xml(text)
    # Every check runs and every problem is reported at once. Our own checks come first
    # so that a script task is reported as such and not as whatever SpiffWorkflow or the
    # schema would say about it; SpiffWorkflow only parses a file that passed them all.
    problems = Problems()
    _check_elements(root, problems)
    _schema_check(root, problems)
    try:
        process = _executable_process(root)
    except RouteInvalid as exc:
        problems.add(exc)
        problems.raise_if_any()
        raise
    _check_ids(process, problems)
    lanes, node_lane = _check_lanes(process, problems)
    tasks = _check_tasks(process, node_lane, problems)
    _check_events(process, problems)
    conditions = _check_conditions(process, problems)
    # Approval routes declare what each end means (outcomes.py); a route stored before
    # that rule (re-read by spec_for) is not refused for lacking the declarations.
    end_outcomes = (outcomes.check_end_outcomes(process, problems) if require_outcomes
                    else {})
    problems.raise_if_any()
    process_id = process.get("id")
    if not process_id:  # the route is stored and run under this id
        raise RouteInvalid(gettext_lazy("可执行流程没有 id：请在建模器中为流程设置 id。"),
                           details={"element_type": "process", "line": process.sourceline})
    spec, subprocesses = _spiff_parse(root, process_id,
                                      {task.id: task.kind for task in tasks if task.kind})
    route = ParsedRoute(
        process_id=process_id,
        process_name=process.get("name") or process_id,
        lanes={name: lanes[name] for name in dict.fromkeys(t.lane for t in tasks)},
        tasks=tasks,
        conditions=conditions,
        end_outcomes=end_outcomes,
        sha256=sha256_of(text),
        xml=text,
    )
    return route, spec, subprocesses


def parse_route(xml: str | bytes, *, require_outcomes: bool = False) -> ParsedRoute:
    """Check an uploaded route; return what it contains or raise a RouteInvalid subclass
    listing every problem. ``require_outcomes``: every end event must declare its outcome
    (approval routes, outcomes.py)."""
    return _parse(xml, require_outcomes=require_outcomes)[0]


# Parsed specs by sha256 of the XML: starting an instance must not re-parse the file.
_SPEC_CACHE_SIZE = 256
_spec_cache: OrderedDict[str, tuple] = OrderedDict()
_spec_lock = threading.Lock()


def spec_for(xml: str, process_id: str):
    """(process spec, subprocess specs) of a route, checked again on first use (the XML
    comes from a database row, which someone may have edited by hand) and then cached."""
    key = f"{sha256_of(xml)}:{process_id}"
    with _spec_lock:
        cached = _spec_cache.get(key)
        if cached is not None:
            _spec_cache.move_to_end(key)
            return cached
    route, spec, subprocesses = _parse(xml)
    if route.process_id != process_id:
        raise RouteInvalid(
            gettext_lazy("路线中没有可执行流程 %(process_id)s。") % {"process_id": process_id}
        )
    with _spec_lock:
        # Another thread may have parsed it meanwhile: everyone gets the first one.
        entry = _spec_cache.setdefault(key, (spec, subprocesses))
        while len(_spec_cache) > _SPEC_CACHE_SIZE:
            _spec_cache.popitem(last=False)
    return entry


@functools.lru_cache(maxsize=256)
def deciding_tasks(xml: str) -> frozenset[str]:
    """The user tasks whose ``decision`` steers the route: those followed by an exclusive or
    inclusive gateway with a condition on ``decision``. Other steps only give an opinion."""
    root = read_xml(xml)
    process = _executable_process(root)
    by_id = {el.get("id"): el for el in process.iter() if el.get("id")}
    flows = list(process.iter(f"{{{BPMN_NS}}}sequenceFlow"))

    def decides_at(gateway_id: str | None) -> bool:
        for flow in flows:
            if flow.get("sourceRef") != gateway_id:
                continue
            condition = flow.find("bpmn:conditionExpression", NS)
            if condition is not None and "decision" in (condition.text or ""):
                return True
        return False

    found = set()
    for task in process.iter(f"{{{BPMN_NS}}}userTask"):
        for flow in flows:
            if flow.get("sourceRef") != task.get("id"):
                continue
            target = by_id.get(flow.get("targetRef"))
            if target is not None and _local(target.tag)[1] in CONDITIONAL_GATEWAYS and (
                    decides_at(target.get("id"))):
                found.add(task.get("id"))
    return frozenset(found)
