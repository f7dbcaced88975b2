"""Every write of the workflow app: routes, starting instances, the worklist mirror,
completing and sending back tasks.

Transactions: the public services are Django's ``transaction.atomic(durable=True)``; the
cases app calls their ``*_inner`` bodies inside its own durable service (accepting a case
starts its route in the same transaction). ``work_items_lock``, ``work_items_reschedule``
and ``route_for`` only ever run inside a caller's transaction. Audit rows are written
inside, events go through the outbox.

Concurrency: completing, sending back and cancelling lock every work item of the subject
(``select_for_update``, in id order) before reading the state, and a work item only
leaves READY through a conditional UPDATE, so of two concurrent completions of one task
exactly one succeeds and the other gets ``workflow.task-already-completed`` (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.events.services import publish
from onewindow.identity.models import Organisation

from . import bpmn, engine, events, lifecycle
from .errors import (
    AlreadyStarted,
    InvalidState,
    InvalidTaskData,
    RouteNotFound,
    StateChanged,
    TaskAlreadyCompleted,
    TaskNotReady,
    UnknownDepartment,
    VersionClosed,
    WorkItemNotFound,
)
from .models import RouteDefinition, WorkItem
from .permissions import can_upload_route, can_work_on
from .selectors import default_route_for, lane_organisation, newest_route
from .subjects import StepDone, StoredState, adapter_for

Status = WorkItem.Status
MAX_OPINION_CHARS = 2000

OrganisationForLane = (
    Mapping[str, Organisation | int] | Callable[[engine.ReadyTask], Organisation]
)
DueDate = (
    dt.date | None | Mapping[str, dt.date | None] | Callable[[engine.ReadyTask], dt.date | None]
)


# --- routes ---------------------------------------------------------------------------------


def route_upload(*, actor: Actor | None, version, bpmn_xml: str | bytes, file_name: str = "",
                 now: dt.datetime) -> RouteDefinition:
    """Check and store a route made in a modeler for one implementation version.

    Raises workflow.invalid-bpmn / script-task-refused / code-refused /
    unsupported-element / unknown-lane / unknown-department / unsafe-expression (422),
    workflow.version-superseded (422), not-found (404) when the actor may not manage it.
    """
    if not can_upload_route(actor=actor, version=version):
        raise RouteNotFound(_("未找到该事项版本。"))
    if version.status == "SUPERSEDED":
        raise VersionClosed(_("该版本已被替代，不再受理新件，不能上传审批路线。"))
    parsed = bpmn.parse_route(bpmn_xml, require_outcomes=True)
    home = version.implementation.organisation
    for lane in parsed.lanes.values():
        if lane.department:
            try:
                lane_organisation(department=lane.department, home=home)
            except UnknownDepartment as exc:
                raise UnknownDepartment(
                    _("泳道“%(lane_name)s”：%(exc_message)s")
                    % {"lane_name": lane.name, "exc_message": exc.message},
                    details={"lane": lane.name},
                ) from None
    # Durable, but opened only here: the BPMN is parsed and checked before the write
    # transaction starts (SQLite opens it IMMEDIATE, i.e. holding the write lock).
    with transaction.atomic(durable=True):
        route = RouteDefinition.objects.create(
            version=version,
            source=RouteDefinition.Source.UPLOADED,
            process_id=parsed.process_id,
            process_name=parsed.process_name[:255],
            bpmn_xml=parsed.xml,
            sha256=parsed.sha256,
            lanes=parsed.lanes_json(),
            tasks=parsed.tasks_json(),
            end_outcomes=parsed.end_outcomes,
            file_name=(file_name or "")[:255],
            uploaded_by=actor,
            uploaded_at=now,
        )
        audit_record(
            actor=actor, action="workflow.route_uploaded", subject_type="catalog.version",
            subject_id=f"{version.implementation.code}/v{version.number}",
            after={"route_id": route.pk, "process_id": route.process_id,
                   "sha256": route.sha256, "lanes": route.lanes, "file_name": route.file_name},
            now=now,
        )
    return route


def route_for(*, version) -> RouteDefinition:
    """The route new cases of ``version`` run: the newest upload, else the default (stored
    once per content, so cases can point at it)."""
    candidate = default_route_for(version)
    found = newest_route(version=version, default=candidate)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:  # another process stored the same default first
        return RouteDefinition.objects.get(
            version=version, source=RouteDefinition.Source.DEFAULT, sha256=candidate.sha256
        )
    return candidate


# --- the worklist mirror --------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    created: list[WorkItem] = field(default_factory=list)
    cancelled: list[WorkItem] = field(default_factory=list)


def _organisation_of(task: engine.ReadyTask, organisation_for_lane: OrganisationForLane
                     ) -> Organisation:
    if callable(organisation_for_lane):
        found = organisation_for_lane(task)
    else:
        found = organisation_for_lane.get(task.lane)
    if isinstance(found, int):
        found = Organisation.objects.filter(pk=found).first()
    if not isinstance(found, Organisation):
        raise UnknownDepartment(
            _("环节“%(task_label)s”（泳道“%(task_lane)s”）没有对应的办理机构。")
            % {"task_label": task.label, "task_lane": task.lane},
            details={"lane": task.lane, "task_name": task.name},
        )
    return found


def _due_date_of(task: engine.ReadyTask, due_date: DueDate) -> dt.date | None:
    if due_date is None or isinstance(due_date, dt.date):
        return due_date
    if callable(due_date):
        return due_date(task)
    return due_date.get(task.name, due_date.get(task.lane))


@transaction.atomic(durable=True)
def worklist_sync(*, subject_type: str, subject_id: str, instance: engine.Instance,
                  organisation_for_lane: OrganisationForLane, due_date: DueDate = None,
                  now: dt.datetime) -> SyncResult:
    """Mirror the READY user tasks of ``instance`` into work items.

    New ready tasks get a READY work item in the worklist of ``organisation_for_lane``
    (a dict lane name → Organisation/id, or a callable ReadyTask → Organisation) with
    ``due_date`` (a date, None, a dict by task name or lane, or a callable ReadyTask →
    date). READY items whose task is no longer ready become CANCELLED. Items already
    mirrored are left as they are. Idempotent.

    The subject's work items are locked first, as completing and sending back do, so a
    completion in progress is waited for and its result read, instead of a READY item it
    is about to finish being cancelled (or mirrored twice) from a stale read.
    """
    subject_id = str(subject_id)
    current = _ready(_lock_subject(subject_type, subject_id))
    return _sync(subject_type, subject_id, instance, current, organisation_for_lane,
                 due_date, now)


def _sync(subject_type: str, subject_id: str, instance: engine.Instance,
          current: list[WorkItem], organisation_for_lane: OrganisationForLane,
          due_date: DueDate, now: dt.datetime) -> SyncResult:
    """worklist_sync on the READY rows ``current`` already loaded (and locked)."""
    ready = {task.task_id: task for task in instance.ready_tasks}
    mirrored = {str(item.task_id) for item in current}
    vanished = [item for item in current if str(item.task_id) not in ready]
    for item in vanished:
        lifecycle.LIFECYCLE.transition(item, lifecycle.CANCEL, actor=None, now=now,
                                       fields={"completed_at": now})
    new_items = []
    for task in instance.ready_tasks:
        if task.task_id in mirrored:
            continue
        organisation = _organisation_of(task, organisation_for_lane)
        new_items.append(WorkItem(
            subject_type=subject_type, subject_id=subject_id, task_id=task.task_id,
            task_name=task.name[:255], task_label=task.label[:255], lane=task.lane[:255],
            role=task.role, department=task.department[:200], organisation=organisation,
            due_date=_due_date_of(task, due_date), status=Status.READY,
            returned_reason=task.returned_reason, created_at=now, kind=task.kind[:20],
        ))
    created = WorkItem.objects.bulk_create(new_items) if new_items else []
    for item in created:
        publish(
            name=events.TASK_READY, aggregate_type=subject_type, aggregate_id=subject_id,
            payload={"subject_type": subject_type, "subject_id": subject_id,
                     "work_item_id": item.pk, "task_name": item.task_name,
                     "task_label": item.task_label, "role": item.role,
                     "organisation_id": item.organisation_id, "due_date": item.due_date},
            now=now,
        )
    return SyncResult(created=list(created), cancelled=vanished)


# --- instances bound to a subject (through its registered adapter) ---------------------------


@dataclass(frozen=True)
class Step:
    """What a start / completion / 退回 did."""

    instance: engine.Instance
    state_version: int
    work_item: WorkItem | None = None
    created: list[WorkItem] = field(default_factory=list)
    cancelled: list[WorkItem] = field(default_factory=list)
    subject: Any = None  # StoredState.subject, as the step left it (if the adapter gave one)


def _sync_with_adapter(adapter, subject_type, subject_id, instance, current, now, *,
                       subject=None) -> SyncResult:
    return _sync(
        subject_type, subject_id, instance, current,
        lambda task: adapter.organisation_for_lane(subject_id, task, subject=subject),
        lambda task: adapter.due_date_for(subject_id, task, now=now, subject=subject),
        now,
    )


def _save(adapter, subject_id: str, stored: StoredState | None, instance: engine.Instance,
          version: int, now: dt.datetime) -> None:
    subject = stored.subject if stored is not None else None
    adapter.save_state(subject_id, StoredState(instance.state_json, version, subject=subject),
                       now=now)


def _lock_subject(subject_type: str, subject_id: str) -> list[WorkItem]:
    """Lock every work item of a subject, in id order (two completions of one instance
    queue here instead of deadlocking), and return them fresh."""
    return list(
        WorkItem.objects.select_for_update(of=("self",)).select_related("organisation")
        .filter(subject_type=subject_type, subject_id=subject_id).order_by("id")
    )


def _ready(rows: list[WorkItem], *, besides: WorkItem | None = None) -> list[WorkItem]:
    return [row for row in rows if row.status == Status.READY and row is not besides]


def _finished(subject_type, subject_id, instance, now) -> None:
    if instance.finished:
        publish(
            name=events.PROCESS_FINISHED, aggregate_type=subject_type, aggregate_id=subject_id,
            payload={"subject_type": subject_type, "subject_id": subject_id,
                     "decision": instance.decision, "end_events": list(instance.end_events),
                     "cancelled": instance.cancelled},
            now=now,
        )


@transaction.atomic(durable=True)
def process_start(*, actor: Actor | None, route: RouteDefinition, subject_type: str,
                  subject_id: str, data: dict | None = None, now: dt.datetime) -> Step:
    """Start ``route`` for a subject (e.g. on acceptance of a case): store the state
    through the subject's adapter and put the first tasks into worklists."""
    return process_start_inner(actor=actor, route=route, subject_type=subject_type,
                               subject_id=subject_id, data=data, now=now)


def process_start_inner(*, actor: Actor | None, route: RouteDefinition, subject_type: str,
                        subject_id: str, data: dict | None = None, now: dt.datetime,
                        locked_subject: Any = None, audit: bool = True) -> Step:
    """The body of ``process_start``, in the caller's transaction. ``locked_subject``: the
    subject's row if the caller has locked it already (see ``SubjectAdapter.load_state``).
    ``audit=False`` when the caller's own audited move of the subject records the start
    (route, process and ready tasks) in the same transaction, as a case's ROUTE_START
    does: one audit row for one fact."""
    subject_id = str(subject_id)
    adapter = adapter_for(subject_type)
    # Same lock order as task_complete (work items, then the subject): no deadlock. A
    # caller holding the subject already starts a new subject's first route: no step can
    # be completing on it.
    current = _ready(_lock_subject(subject_type, subject_id))
    stored = adapter.load_state(subject_id, locked=locked_subject)
    if stored is not None and stored.started and engine.ready_tasks(
            state_json=stored.state_json):
        raise AlreadyStarted(_("该业务的审批流程已在进行中。"))
    instance = engine.start(route=route, data=data)
    version = (stored.version if stored is not None else 0) + 1
    sync = _sync_with_adapter(adapter, subject_type, subject_id, instance, current, now,
                              subject=stored.subject if stored is not None else None)
    _save(adapter, subject_id, stored, instance, version, now)
    if audit:
        audit_record(
            actor=actor, action="workflow.process_started", subject_type=subject_type,
            subject_id=subject_id,
            after={"route_id": route.pk, "process_id": route.process_id,
                   "ready": [task.name for task in instance.ready_tasks]},
            now=now,
        )
    _finished(subject_type, subject_id, instance, now)
    return Step(instance=instance, state_version=version, created=sync.created,
                cancelled=sync.cancelled, subject=stored.subject if stored else None)


def _lock_item(work_item: WorkItem, actor: Actor | None) -> tuple[WorkItem, list[WorkItem]]:
    """Lock the subject of ``work_item``; return its fresh row and every row of the subject.
    Out of the actor's scope → 404; no longer READY → 409."""
    pk, subject = work_item.pk, (work_item.subject_type, work_item.subject_id)
    rows = _lock_subject(*subject)
    item = next((row for row in rows if row.pk == pk), None)
    if item is None or not can_work_on(actor=actor, work_item=item):
        raise WorkItemNotFound(_("未找到该待办任务。"))
    if item.status == Status.COMPLETED:
        raise TaskAlreadyCompleted(_("该任务已由他人办结，请刷新待办列表。"))
    if item.status != Status.READY:
        raise TaskNotReady(_("该任务已不在待办中（已退回或撤销），请刷新待办列表。"))
    return item, rows


def _load(adapter, item: WorkItem, expected_state_version: int | None) -> StoredState:
    stored = adapter.load_state(item.subject_id)
    if stored is None or not stored.started:
        raise InvalidState(_("该业务没有进行中的审批流程。"))
    if expected_state_version is not None and stored.version != expected_state_version:
        raise StateChanged(_("流程已被他人推进，请刷新后再办理。"),
                           details={"state_version": stored.version})
    return stored


@transaction.atomic(durable=True)
def task_complete(*, actor: Actor | None, work_item: WorkItem, data: dict | None = None,
                  opinion: str = "", expected_state_version: int | None = None,
                  subject_context: Mapping[str, Any] | None = None,
                  now: dt.datetime) -> Step:
    """Complete the BPMN task of ``work_item`` with ``data`` (``data["decision"]`` is what
    gateways test) and ``opinion`` (办理意见), run the route on and mirror the next tasks.

    The actor must hold the task's role over its organisation (else 404). A task already
    completed → workflow.task-already-completed (409); ``expected_state_version`` not
    current → workflow.state-changed (409). ``subject_context`` is handed unchanged to the
    subject adapter's ``after_step`` (``StepDone.context``).
    """
    return task_complete_inner(actor=actor, work_item=work_item, data=data, opinion=opinion,
                               expected_state_version=expected_state_version,
                               subject_context=subject_context, now=now)


def task_complete_inner(*, actor: Actor | None, work_item: WorkItem, data: dict | None = None,
                        opinion: str = "", expected_state_version: int | None = None,
                        subject_context: Mapping[str, Any] | None = None,
                        now: dt.datetime) -> Step:
    """The body of ``task_complete``, in the caller's transaction."""
    opinion = (opinion or "").strip()
    if len(opinion) > MAX_OPINION_CHARS:
        raise InvalidTaskData(
            _("办理意见不能超过 %(max_opinion_chars)s 字。")
            % {"max_opinion_chars": MAX_OPINION_CHARS}
        )
    values = engine.clean_data(data)
    # Like decision, the opinion belongs to this step: an earlier one must not carry on.
    values["opinion"] = opinion
    item, rows = _lock_item(work_item, actor)
    adapter = adapter_for(item.subject_type)
    stored = _load(adapter, item, expected_state_version)
    instance = engine.complete(state_json=stored.state_json, task_id=str(item.task_id),
                               data=values)
    decision = values.get("decision")
    decision = "" if decision is None else str(decision)[:64]
    lifecycle.LIFECYCLE.transition(
        item, lifecycle.COMPLETE, actor=actor, now=now,
        fields={"completed_at": now, "completed_by": actor, "opinion": opinion,
                "decision": decision, "data": values},
        payload={"decision": decision, "actor_id": getattr(actor, "pk", None)},
    )
    sync = _sync_with_adapter(adapter, item.subject_type, item.subject_id, instance,
                              _ready(rows, besides=item), now, subject=stored.subject)
    version = stored.version + 1
    _save(adapter, item.subject_id, stored, instance, version, now)
    audit_record(
        actor=actor, action="workflow.task_completed", subject_type=item.subject_type,
        subject_id=item.subject_id,
        after={"work_item_id": item.pk, "task_name": item.task_name,
               "task_label": item.task_label, "decision": item.decision,
               "opinion": opinion, "next": [task.name for task in instance.ready_tasks],
               "finished": instance.finished},
        now=now,
    )
    _finished(item.subject_type, item.subject_id, instance, now)
    _after_step(adapter, item, kind="complete", actor=actor, instance=instance,
                data=values, context=subject_context, subject=stored.subject, now=now)
    return Step(instance=instance, state_version=version, work_item=item,
                created=sync.created, cancelled=sync.cancelled, subject=stored.subject)


def _after_step(adapter, item: WorkItem, *, kind: Literal["complete", "send_back"], actor,
                instance, data: dict, context: Mapping[str, Any] | None, subject: Any,
                now: dt.datetime) -> None:
    adapter.after_step(item.subject_id, StepDone(
        kind=kind, actor=actor, work_item=item, instance=instance, data=data, now=now,
        context=dict(context or {}), subject=subject))


def work_items_lock(*, subject_type: str, subject_id: str) -> list[WorkItem]:
    """Lock a subject's work items (in id order) for the caller's transaction: a subject
    service that will touch them takes the same locks first, in the same order as
    task_complete (work items, then the subject), so the two cannot deadlock."""
    return _lock_subject(subject_type, str(subject_id))


def work_items_reschedule(*, subject_type: str, subject_id: str, due_date: dt.date | None
                          ) -> int:
    """Give the READY work items of a subject a new deadline (the case's deadline moved
    by a suspension or an extension). Returns how many changed."""
    return (WorkItem.objects.filter(subject_type=subject_type, subject_id=str(subject_id),
                                    status=Status.READY)
            .exclude(due_date=due_date).update(due_date=due_date))


@transaction.atomic(durable=True)
def task_send_back(*, actor: Actor | None, work_item: WorkItem, reason: str,
                   expected_state_version: int | None = None,
                   subject_context: Mapping[str, Any] | None = None,
                   now: dt.datetime) -> Step:
    """退回: send the subject from this task back one user-task step, with a reason (the
    previous step's tasks come back into their worklists carrying the reason).
    ``subject_context`` goes to the adapter's ``after_step`` as for ``task_complete``."""
    return task_send_back_inner(actor=actor, work_item=work_item, reason=reason,
                                expected_state_version=expected_state_version,
                                subject_context=subject_context, now=now)


def task_send_back_inner(*, actor: Actor | None, work_item: WorkItem, reason: str,
                         expected_state_version: int | None = None,
                         subject_context: Mapping[str, Any] | None = None,
                         now: dt.datetime) -> Step:
    """The body of ``task_send_back``, in the caller's transaction."""
    item, rows = _lock_item(work_item, actor)
    adapter = adapter_for(item.subject_type)
    stored = _load(adapter, item, expected_state_version)
    instance = engine.send_back(state_json=stored.state_json, task_id=str(item.task_id),
                                reason=reason)
    reason = reason.strip()
    lifecycle.LIFECYCLE.transition(
        item, lifecycle.RETURN, actor=actor, now=now,
        fields={"completed_at": now, "completed_by": actor, "opinion": reason,
                "decision": "return"},
        payload={"reason": reason, "actor_id": getattr(actor, "pk", None)},
    )
    sync = _sync_with_adapter(adapter, item.subject_type, item.subject_id, instance,
                              _ready(rows, besides=item), now, subject=stored.subject)
    version = stored.version + 1
    _save(adapter, item.subject_id, stored, instance, version, now)
    audit_record(
        actor=actor, action="workflow.task_returned", subject_type=item.subject_type,
        subject_id=item.subject_id,
        after={"work_item_id": item.pk, "task_name": item.task_name, "reason": reason,
               "back_to": [task.name for task in instance.ready_tasks]},
        now=now,
    )
    _after_step(adapter, item, kind="send_back", actor=actor, instance=instance,
                data={"reason": reason}, context=subject_context, subject=stored.subject,
                now=now)
    return Step(instance=instance, state_version=version, work_item=item,
                created=sync.created, cancelled=sync.cancelled, subject=stored.subject)


@transaction.atomic(durable=True)
def process_cancel(*, actor: Actor | None, subject_type: str, subject_id: str, reason: str,
                   now: dt.datetime) -> Step:
    """Stop the route of a subject (withdrawn, terminated): every READY item is CANCELLED."""
    return process_cancel_inner(actor=actor, subject_type=subject_type, subject_id=subject_id,
                                reason=reason, now=now)


def process_cancel_inner(*, actor: Actor | None, subject_type: str, subject_id: str, reason: str,
                         now: dt.datetime) -> Step:
    """The body of ``process_cancel``, in the caller's transaction."""
    subject_id = str(subject_id)
    adapter = adapter_for(subject_type)
    rows = _lock_subject(subject_type, subject_id)
    stored = adapter.load_state(subject_id)
    if stored is None or not stored.started:
        raise InvalidState(_("该业务没有进行中的审批流程。"))
    instance = engine.cancel(state_json=stored.state_json)
    sync = _sync(subject_type, subject_id, instance, _ready(rows), {}, None, now)
    version = stored.version + 1
    _save(adapter, subject_id, stored, instance, version, now)
    audit_record(
        actor=actor, action="workflow.process_cancelled", subject_type=subject_type,
        subject_id=subject_id, after={"reason": reason,
                                      "cancelled": [i.pk for i in sync.cancelled]},
        now=now,
    )
    _finished(subject_type, subject_id, instance, now)
    return Step(instance=instance, state_version=version, cancelled=sync.cancelled)

