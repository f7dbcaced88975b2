"""The lifecycle of a work item (the worklist mirror of one READY user task), run by the
kernel mechanism (common.lifecycle). Nothing else assigns ``WorkItem.status``.

    完成 COMPLETE   READY → COMPLETED   (event workflow.task.completed)
    退回 RETURN     READY → RETURNED    (event workflow.task.returned)
    撤销 CANCEL     READY → CANCELLED   (the task is no longer ready in the engine)

A work item has no action log or audit row of its own: the item row itself records who
finished it, when and with what opinion, and the process step that moves it (completion,
退回, cancellation) is audited once on the subject by the workflow service, because one
step may move several items. The UPDATE is guarded by ``status = 'READY'``: of two
concurrent completions exactly one moves the row, the other gets
``workflow.task-already-completed``.
"""

from onewindow.common.lifecycle import Lifecycle, Move
from onewindow.events.services import publish

from . import events
from .errors import TaskAlreadyCompleted, TaskNotReady
from .models import WorkItem

Status = WorkItem.Status
COMPLETE, RETURN, CANCEL = "COMPLETE", "RETURN", "CANCEL"
_READY = frozenset({Status.READY})

TRANSITIONS: dict[str, Move] = {
    COMPLETE: Move(_READY, Status.COMPLETED, events.TASK_COMPLETED),
    RETURN: Move(_READY, Status.RETURNED, events.TASK_RETURNED),
    CANCEL: Move(_READY, Status.CANCELLED),
}


def _refusal(item: WorkItem, kind: str) -> str:
    return "该任务已不在待办中（已办结、退回或撤销），请刷新待办列表。"


LIFECYCLE = Lifecycle(
    model=WorkItem, moves=TRANSITIONS, subject_type="workflow.work_item",
    conflict=TaskAlreadyCompleted, invalid_transition=TaskNotReady, publish=publish,
    aggregate=lambda item: (item.subject_type, item.subject_id),
    payload=lambda item, _action: {
        "subject_type": item.subject_type, "subject_id": item.subject_id,
        "work_item_id": item.pk, "task_name": item.task_name},
    refusal=_refusal, conflict_message="该任务已由他人办结，请刷新待办列表。",
    settable=frozenset({"completed_at", "completed_by", "opinion", "decision", "data"}),
)
