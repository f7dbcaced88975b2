"""Approval routes and worklists: the engine half of the API.

Mounted by onewindow.api at ``/v1/workflow/``. Every endpoint needs a signed-in staff
member (bearer token or session). ``task_complete`` and ``task_send_back`` move the BPMN
route on; the subject's adapter hook (workflow.subjects ``after_step``) runs in the same
transaction, so completing a case's task here has exactly the effect of the cases
services (opinion in the case's log, the decision when the route ends).
Errors: workflow.* codes (see onewindow.workflow.errors) as ``{code, message, details}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.common.schemas import errors
from onewindow.identity.models import Role

from . import bpmn, selectors, services
from .errors import RouteInvalid
from .models import RouteDefinition, WorkItem

router = Router(tags=["workflow"])

XML_TYPES = {"application/xml", "text/xml", "application/bpmn+xml", "application/octet-stream"}


def _today() -> dt.date:
    return timezone.localdate()


# --- schemas --------------------------------------------------------------------------------


class LaneOut(Schema):
    name: str
    role: str
    role_label: str
    department: str


class RouteTaskOut(Schema):
    id: str
    name: str
    lane: str


class RouteOut(Schema):
    id: int | None
    implementation_code: str
    version: int
    source: str
    source_label: str
    kind: str
    process_id: str
    process_name: str
    sha256: str
    lanes: list[LaneOut]
    tasks: list[RouteTaskOut]
    file_name: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    bpmn_xml: str


class TaskOut(Schema):
    id: int
    subject_type: str
    subject_id: str
    task_id: str
    task_name: str
    task_label: str
    lane: str
    role: str
    role_label: str
    department: str
    organisation_id: int
    organisation_name: str
    status: str
    status_label: str
    due_date: dt.date | None
    deadline_status: str
    deadline_label: str
    working_days_left: int | None
    returned_reason: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by: str | None
    decision: str
    opinion: str


class TaskPageOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskListQuery(Schema):
    sort: str = "due_date"
    status: list[str] = ["READY"]
    deadline: list[str] = []
    cursor: str | None = None
    limit: int = selectors.DEFAULT_LIMIT


class CompleteIn(Schema):
    decision: str | None = None
    opinion: str = ""
    data: dict[str, Any] = {}
    expected_state_version: int | None = None


class SendBackIn(Schema):
    reason: str
    expected_state_version: int | None = None


class NextTaskOut(Schema):
    task_name: str
    task_label: str
    role: str
    organisation_id: int
    due_date: dt.date | None


class StepOut(Schema):
    task: TaskOut
    finished: bool
    decision: Any = None
    end_events: list[str]
    state_version: int
    next_tasks: list[NextTaskOut]


# --- mapping --------------------------------------------------------------------------------


def _route_out(route: RouteDefinition, version) -> dict:
    return {
        "id": route.pk,
        "implementation_code": version.implementation.code,
        "version": version.number,
        "source": route.source,
        "source_label": route.get_source_display(),
        "kind": route.kind,
        "process_id": route.process_id,
        "process_name": route.process_name,
        "sha256": route.sha256,
        "lanes": [
            {"name": name, "role": lane["role"], "role_label": Role(lane["role"]).label,
             "department": lane.get("department", "")}
            for name, lane in route.lanes.items()
        ],
        "tasks": route.tasks,
        "file_name": route.file_name,
        "uploaded_by": route.uploaded_by.get_username() if route.uploaded_by_id else None,
        "uploaded_at": route.uploaded_at,
        "bpmn_xml": route.bpmn_xml,
    }


def _task_out(row: selectors.WorklistRow) -> dict:
    item: WorkItem = row.item
    return {
        "id": item.pk,
        "subject_type": item.subject_type,
        "subject_id": item.subject_id,
        "task_id": str(item.task_id),
        "task_name": item.task_name,
        "task_label": item.task_label,
        "lane": item.lane,
        "role": item.role,
        "role_label": Role(item.role).label,
        "department": item.department,
        "organisation_id": item.organisation_id,
        "organisation_name": item.organisation.name,
        "status": item.status,
        "status_label": item.get_status_display(),
        "due_date": item.due_date,
        "deadline_status": row.deadline_status,
        "deadline_label": row.deadline_label,
        "working_days_left": row.working_days_left,
        "returned_reason": item.returned_reason,
        "created_at": item.created_at,
        "completed_at": item.completed_at,
        "completed_by": item.completed_by.get_username() if item.completed_by_id else None,
        "decision": item.decision,
        "opinion": item.opinion,
    }


def _step_out(step: services.Step) -> dict:
    if step.work_item is None:  # a completion or 退回 always names its task
        raise ValueError("the step names no task")
    today = _today()
    return {
        "task": _task_out(selectors.work_item_row(item=step.work_item, today=today)),
        "finished": step.instance.finished,
        "decision": step.instance.decision,
        "end_events": list(step.instance.end_events),
        "state_version": step.state_version,
        "next_tasks": [
            {"task_name": i.task_name, "task_label": i.task_label, "role": i.role,
             "organisation_id": i.organisation_id, "due_date": i.due_date}
            for i in step.created
        ],
    }


# --- routes ---------------------------------------------------------------------------------


@router.post("/routes/{code}/{version}", operation_id="route_upload",
             response={201: RouteOut, **errors(401, 403, 404, 422)})
# ninja reads "= None" as "not required"; its type-checking File[T] is plain T, and
# File[T | None] would publish the part as nullable, so the None default is ignored here.
def route_upload(request, code: str, version: int,
                 file: File[UploadedFile] = None):  # pyright: ignore[reportArgumentType]
    """Upload the BPMN 2.0 route of one item version, made in Camunda Modeler or bpmn.io:
    as a multipart file (field ``file``) or as the XML request body
    (``Content-Type: application/xml``). Lanes must be named after roles (综合受理、承办人、
    首席代表; joint review: 承办人（部门）), script tasks and code are refused, gateway
    conditions use the safe expression language (``decision == "approve"``)."""
    target = selectors.access_route_version(actor=request.auth, code=code, number=version,
                                            upload=True)
    if file is not None:
        content = file.read(bpmn.MAX_BYTES + 1)
        file_name = file.name or ""
    else:
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type not in XML_TYPES:
            raise RouteInvalid(_("请以文件（multipart 字段 file）或 XML 请求体上传 BPMN。"))
        content = request.body
        file_name = ""
    route = services.route_upload(actor=request.auth, version=target, bpmn_xml=content,
                                  file_name=file_name, now=timezone.now())
    return Status(201, _route_out(route, target))


@router.get("/routes/{code}/{version}", operation_id="route_get",
            response={200: RouteOut, **errors(401, 404, 422)})
def route_get(request, code: str, version: int):
    """The route new cases of this item version run: the newest upload, else the default
    generated from its handling type (即办件 / 承诺件 / 联合审查). ``bpmn_xml`` opens in a
    modeler."""
    target = selectors.access_route_version(actor=request.auth, code=code, number=version)
    route = selectors.route_get(version=target)
    return _route_out(route, target)


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", operation_id="task_list",
            response={200: TaskPageOut, **errors(401, 422)})
def task_list(request, query: Query[TaskListQuery]):
    """My worklist: ready tasks of the roles I hold, in the organisations I hold them over,
    sorted by deadline (``sort``: due_date, -due_date, created_at, -created_at), each with
    its deadline colour (NORMAL, DUE_SOON within ONEWINDOW_DUE_SOON_WORKING_DAYS working
    days, OVERDUE). ``deadline`` filters by colour; keyset pages via ``cursor``."""
    page = selectors.worklist(
        actor=request.auth, sort=query.sort, statuses=query.status,
        deadline=query.deadline or None, cursor=query.cursor, limit=query.limit,
        today=_today(),
    )
    return {"items": [_task_out(row) for row in page.rows], "next_cursor": page.next_cursor}


@router.get("/tasks/{task_id}", operation_id="task_get",
            response={200: TaskOut, **errors(401, 404, 422)})
def task_get(request, task_id: int):
    """One task of my worklist (any status); tasks of other departments are not found."""
    item = selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    return _task_out(selectors.work_item_row(item=item, today=_today()))


@router.post("/tasks/{task_id}/complete", operation_id="task_complete",
             response={200: StepOut, **errors(401, 403, 404, 409, 422)})
def task_complete(request, task_id: int, body: CompleteIn):
    """Complete a task with a decision (e.g. ``approve`` / ``deny`` / ``return`` at 决定),
    an opinion and optional data; the route moves on. Twice → 409
    workflow.task-already-completed."""
    data = dict(body.data)
    if body.decision is not None:
        data["decision"] = body.decision
    item = selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    step = services.task_complete(
        actor=request.auth, work_item=item, data=data, opinion=body.opinion,
        expected_state_version=body.expected_state_version, now=timezone.now(),
    )
    return _step_out(step)


@router.post("/tasks/{task_id}/send-back", operation_id="task_send_back",
             response={200: StepOut, **errors(401, 403, 404, 409, 422)})
def task_send_back(request, task_id: int, body: SendBackIn):
    """退回: send the case back one step with a reason; the previous step's tasks return
    to their worklists carrying the reason."""
    item = selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    step = services.task_send_back(
        actor=request.auth, work_item=item, reason=body.reason,
        expected_state_version=body.expected_state_version, now=timezone.now(),
    )
    return _step_out(step)
