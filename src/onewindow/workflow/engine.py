"""Running approval routes with SpiffWorkflow, state in, state out.

Every function takes the instance state as JSON (SpiffWorkflow's own serialisation,
which includes the process spec, so a running case keeps the route it started with even
when a new one is uploaded) and returns an :class:`Instance`: the new state and the user
tasks now waiting for a person. Nothing here touches the database; the caller stores the
state with its subject (the case) and mirrors ``ready_tasks`` into worklists
(services.worklist_sync).

Gateway conditions are evaluated by :class:`SafeScriptEngine`: the safe expression
language of onewindow.common.expressions instead of SpiffWorkflow's default
eval()/exec(). Script tasks cannot reach the engine (uploads refuse them); should a
stored state contain one anyway, running it fails.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, InclusiveGateway, ParallelGateway
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from onewindow.common import expressions

from . import bpmn
from .errors import (
    CodeRefused,
    ExpressionFailed,
    InvalidState,
    InvalidTaskData,
    NoPreviousStep,
    NoRouteMatched,
    TaskNotReady,
)
from .lanes import parse_lane_name

MAX_DATA_BYTES = 64 * 1024
MAX_REASON_CHARS = 2000
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Written by the engine itself; callers may not set them.
RESERVED_KEYS = {"returned_reason", "returned_from", "data_objects"}


# --- the safe script engine -----------------------------------------------------------------


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates conditions with the safe expression language; never executes code."""

    def evaluate(self, expression, context, external_context=None):
        try:
            return expressions.evaluate(expression, context or {})
        except expressions.ExpressionError as exc:
            raise ExpressionFailed(
                _("条件 %(exc_expression)s 无法计算：%(exc_reason)s。")
                % {"exc_expression": repr(exc.expression.strip()), "exc_reason": exc.reason},
                details={"expression": exc.expression.strip(), "reason": exc.reason},
            ) from None

    def execute(self, script, context, external_context=None):
        raise CodeRefused(_("审批路线不执行脚本。"))

    def call_service(self, context, **kwargs):
        raise CodeRefused(_("审批路线不调用外部服务。"))


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self):
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression):
        expressions.check(expression)

    def evaluate(self, task, expression, external_context=None):
        # No wrapping into WorkflowTaskException: our errors carry their own codes.
        return self.environment.evaluate(expression, task.data, external_context)

    def execute(self, task, script, external_context=None):
        return self.environment.execute(script, task.data, external_context)

    def call_service(self, task, **kwargs):
        return self.environment.call_service(task.data, **kwargs)


SCRIPT_ENGINE = SafeScriptEngine()
# BpmnWorkflowSerializer flips a flag on its registry while encoding: one per thread.
_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = BpmnWorkflowSerializer()
    return serializer


# --- what callers get back ------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    task_id: str          # SpiffWorkflow task UUID
    name: str             # BPMN element id, e.g. "Task_review"
    label: str            # BPMN element name, e.g. "审查"
    lane: str             # lane name, e.g. "承办人（市公安局）"
    role: str             # Role value, e.g. "HANDLER"
    department: str = ""  # joint review: the department named by the lane
    returned_reason: str = ""  # set when the task came back by 退回
    kind: str = ""        # "inspection" (现场核查) as the route declares it (bpmn.TASK_KINDS)


@dataclass(frozen=True)
class Instance:
    state_json: str
    ready_tasks: tuple[ReadyTask, ...]
    finished: bool
    cancelled: bool = False
    end_events: tuple[str, ...] = ()           # ids of end events reached, e.g. ("End_approved",)
    data: dict[str, Any] = field(default_factory=dict)  # final data once finished

    @property
    def decision(self) -> Any:
        return self.data.get("decision") if self.finished else None


# --- loading and saving ---------------------------------------------------------------------


def _load(state_json: str) -> BpmnWorkflow:
    try:
        workflow = _serializer().deserialize_json(state_json)
    except (ValueError, KeyError, TypeError, SpiffWorkflowException) as exc:
        raise InvalidState(_("流程实例状态无法读取：%(exc)s") % {"exc": exc}) from None
    if not isinstance(workflow, BpmnWorkflow):
        raise InvalidState(_("流程实例状态无法读取：不是流程实例。"))
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def _bpmn_spec(task) -> BpmnTaskSpec:
    """The task's spec; every task of a parsed BPMN route has one (lane, bpmn_name)."""
    spec = task.task_spec
    if not isinstance(spec, BpmnTaskSpec):
        raise InvalidState(_("任务“%(spec_name)s”不是 BPMN 任务。") % {"spec_name": spec.name})
    return spec


def _instance(workflow: BpmnWorkflow) -> Instance:
    ready = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = _bpmn_spec(task)
        lane = parse_lane_name(spec.lane)
        if lane is None:
            label = spec.bpmn_name or spec.name
            raise InvalidState(
                _("任务“%(label)s”的泳道“%(spec_lane)s”不对应角色。")
                % {"label": label, "spec_lane": spec.lane}
            )
        ready.append(ReadyTask(
            task_id=str(task.id), name=spec.name, label=spec.bpmn_name or spec.name,
            lane=lane.name, role=lane.role, department=lane.department,
            returned_reason=str(task.data.get("returned_reason") or ""),
            kind=str((getattr(spec, "extensions", None) or {}).get("kind") or ""),
        ))
    ready.sort(key=lambda t: (t.name, t.task_id))
    finished = workflow.is_completed()
    cancelled = finished and not workflow.success
    end_events: tuple[str, ...] = ()
    data: dict[str, Any] = {}
    if finished:
        ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent)]
        end_events = tuple(t.task_spec.name for t in ends)
        last = workflow.last_task
        data = {k: v for k, v in (last.data if last is not None else {}).items()
                if k != "data_objects"}
    return Instance(
        # SpiffWorkflow returns bytes only when asked to gzip.
        state_json=_serializer().serialize_json(workflow),  # pyright: ignore[reportArgumentType]
        ready_tasks=tuple(ready),
        finished=finished,
        cancelled=cancelled,
        end_events=end_events,
        data=data,
    )


def _run(workflow: BpmnWorkflow, action) -> None:
    try:
        action()
        workflow.do_engine_steps()
    except WorkflowException as exc:
        message = str(exc.args[0] if exc.args else exc)
        if "No conditions satisfied" in message:
            raise NoRouteMatched(
                _("没有符合条件的流向：%(message)s 之后的所有条件都不成立，"
                  "请检查提交的办理结果（如 decision）。") % {"message": message.split(' for ')[-1]}
            ) from None
        raise InvalidState(_("流程无法继续：%(message)s") % {"message": message}) from None


# --- the operations ------------------------------------------------------------------------


def clean_data(data: dict | None) -> dict[str, Any]:
    """Task data as the engine accepts it: identifier keys, JSON values, at most 64 KB."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidTaskData(_("任务数据须为对象（键值对）。"))
    for key in data:
        if not isinstance(key, str) or not _KEY.match(key):
            raise InvalidTaskData(
                _("任务数据的键 %(key)s 无效：须以字母开头，只含字母、数字和下划线。")
                % {"key": repr(key)},
                details={"key": str(key)},
            )
        if key in RESERVED_KEYS:
            raise InvalidTaskData(
                _("任务数据的键 %(key)s 由系统使用。") % {"key": repr(key)}, details={"key": key}
            )
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidTaskData(_("任务数据只能包含文字、数字、布尔值、空值、列表和对象。")) from None
    if len(encoded.encode("utf-8")) > MAX_DATA_BYTES:
        raise InvalidTaskData(
            _("任务数据超过 %(max_data_bytes)s KB。") % {"max_data_bytes": MAX_DATA_BYTES // 1024}
        )
    return json.loads(encoded)


def start(*, route, data: dict | None = None) -> Instance:
    """Start an instance of ``route`` (anything with ``bpmn_xml`` and ``process_id``, e.g.
    a RouteDefinition) with initial ``data``; run to the first user tasks."""
    spec, subprocesses = bpmn.spec_for(route.bpmn_xml, route.process_id)
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=SCRIPT_ENGINE)
    initial = clean_data(data)
    _run(workflow, lambda: _seed(workflow, initial))
    return _instance(workflow)


def _seed(workflow: BpmnWorkflow, data: dict) -> None:
    # A new workflow has only its root task READY; every later task inherits its data.
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(copy.deepcopy(data))
    workflow.data.update(copy.deepcopy(data))


def _ready_task(workflow: BpmnWorkflow, task_id: str):
    try:
        task = workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, WorkflowException):
        raise TaskNotReady(_("该任务不在当前流程中。"), details={"task_id": str(task_id)}) from None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(_("该任务当前不是待办状态。"), details={"task_id": str(task_id)})
    return task


def complete(*, state_json: str, task_id: str, data: dict | None = None) -> Instance:
    """Complete the READY user task ``task_id`` with ``data`` and run on to the next
    user tasks. ``data["decision"]`` is what gateway conditions usually test; it is reset
    to None when not given, so a decision never leaks from an earlier step."""
    workflow = _load(state_json)
    task = _ready_task(workflow, task_id)
    values = clean_data(data)
    values.setdefault("decision", None)

    def act():
        for key in ("returned_reason", "returned_from"):
            task.data.pop(key, None)
        task.data.update(values)
        task.run()

    _run(workflow, act)
    return _instance(workflow)


def previous_step(workflow: BpmnWorkflow, task):
    """Where 退回 goes from ``task``: the nearest completed user task before it, or — when
    that step was a parallel review — the gateway that split it, so that every branch
    of the parallel step is done again. None if ``task`` is the first step."""
    crossed_join = False
    node = task.parent
    while node is not None:
        spec = node.task_spec
        if isinstance(spec, ParallelGateway | InclusiveGateway) and len(spec.inputs) > 1:
            crossed_join = True
        if spec.manual and node.state == TaskState.COMPLETED:
            break
        node = node.parent
    if node is None:
        return None
    if not crossed_join:
        return node
    split = node.parent
    while split is not None:
        spec = split.task_spec
        if isinstance(spec, ParallelGateway | InclusiveGateway) and len(spec.outputs) > 1:
            return split
        if spec.manual:
            break
        split = split.parent
    return node


def send_back(*, state_json: str, task_id: str, reason: str) -> Instance:
    """退回: the READY task ``task_id`` goes back one user-task step (see previous_step).

    The reason is written into the data of the step that comes back (``returned_reason``,
    ``returned_from``) and is shown as ``ReadyTask.returned_reason``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTaskData(_("退回须说明理由。"))
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidTaskData(
            _("退回理由不能超过 %(max_reason_chars)s 字。") % {"max_reason_chars": MAX_REASON_CHARS}
        )
    workflow = _load(state_json)
    task = _ready_task(workflow, task_id)
    target = previous_step(workflow, task)
    if target is None:
        raise NoPreviousStep(
            _("“%(bpmn_name)s”是第一个办理环节，无法退回。")
            % {"bpmn_name": _bpmn_spec(task).bpmn_name or task.task_spec.name}
        )
    data = copy.deepcopy(target.parent.data) if target.parent is not None else {}
    data.pop("decision", None)
    data.update(returned_reason=reason, returned_from=task.task_spec.name)
    _run(workflow, lambda: workflow.reset_from_task_id(target.id, data=data))
    return _instance(workflow)


def cancel(*, state_json: str) -> Instance:
    """Stop the instance (case withdrawn, terminated …): no task is ready any more."""
    workflow = _load(state_json)
    workflow.cancel()
    return _instance(workflow)


def ready_tasks(*, state_json: str) -> tuple[ReadyTask, ...]:
    return _instance(_load(state_json)).ready_tasks
