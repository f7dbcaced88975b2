"""Where instance state lives: with its subject, behind an adapter the subject's app registers.

The engine row may not import the apps above it (cases …), yet completing a task from a
worklist must read and write the state stored on the case. So each subject type
registers a :class:`SubjectAdapter` in its AppConfig.ready() — the same inversion as
``register_actions`` — and the workflow services call it inside their transaction::

    register_subject("cases.case", CaseWorkflowAdapter())

``load_state`` should lock the subject's row (``select_for_update``); the services also
lock the subject's work items, so two completions of one instance never interleave.

An adapter also defines ``after_step(subject_id, step)`` with a :class:`StepDone`: it is
called inside the same transaction after every completion or 退回, whoever made it (a
subject's own service or the workflow API), so the subject has one code path for what a
step means to it (e.g. the case records the opinion and, when the route ends, the
decision). Raising there rolls the step back. What the subject's own service knows and
the workflow does not (e.g. the case version the clerk's page showed) travels explicitly
as ``subject_context`` of ``task_complete``/``task_send_back`` → ``StepDone.context``;
nothing is handed over through globals or context variables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .errors import SubjectTypeUnknown

if TYPE_CHECKING:
    from onewindow.identity.models import Organisation

    from .engine import Instance, ReadyTask
    from .models import WorkItem


@dataclass(frozen=True)
class StoredState:
    """Instance state as the subject stores it; ``version`` grows by one per change."""

    state_json: str
    version: int = 0
    # The subject's row as ``load_state`` read (and locked) it, if the adapter gives it:
    # handed back to the adapter's hooks, so one step reads its subject once.
    subject: Any = field(default=None, compare=False)

    @property
    def started(self) -> bool:
        return bool(self.state_json)


@dataclass(frozen=True)
class StepDone:
    """What ``after_step`` is told about one completed or sent-back step."""

    kind: Literal["complete", "send_back"]
    actor: Any
    work_item: WorkItem
    instance: Instance               # the route after the step (finished, end events …)
    data: Mapping[str, Any]          # what the step submitted (decision, opinion, reason)
    now: dt.datetime
    context: Mapping[str, Any] = field(default_factory=dict)  # from the subject's service
    subject: Any = None              # StoredState.subject of the step, if the adapter gave one


class SubjectAdapter(Protocol):
    def load_state(self, subject_id: str, *, locked: Any = None) -> StoredState | None:
        """The stored state (locked for update), or None if no instance was started. An
        adapter that reads its subject's row for it may return that row as
        ``StoredState.subject`` (with an empty ``state_json`` if no instance was started):
        the step then hands it to the hooks below instead of their reading it again.
        ``locked`` is the subject's row when the caller has already locked it in this
        transaction (a case accepted and its route started in one act): the adapter may
        read the state from it instead of locking the row again."""

    def save_state(self, subject_id: str, state: StoredState, *, now: dt.datetime) -> None:
        """Store the new state (in the caller's transaction)."""

    def organisation_for_lane(self, subject_id: str, task: ReadyTask, *,
                              subject: Any = None) -> Organisation:
        """Whose worklist a ready task goes to (e.g. the implementing department, or for
        a joint-review lane the department it names: see services.lane_organisation).
        ``subject``: what ``load_state`` returned as ``StoredState.subject``."""
        ...

    def due_date_for(self, subject_id: str, task: ReadyTask, *, now: dt.datetime,
                     subject: Any = None) -> dt.date | None:
        """The deadline of the step (环节期限), or None."""

    def after_step(self, subject_id: str, step: StepDone) -> None:
        """What the step means to the subject, in the step's transaction."""


_adapters: dict[str, SubjectAdapter] = {}


def register_subject(subject_type: str, adapter: SubjectAdapter) -> None:
    if not subject_type or len(subject_type) > 40:
        raise ValueError(f"invalid subject type {subject_type!r}")
    _adapters[subject_type] = adapter


def unregister_subject(subject_type: str) -> None:
    _adapters.pop(subject_type, None)


def adapter_for(subject_type: str) -> SubjectAdapter:
    try:
        return _adapters[subject_type]
    except KeyError:
        raise SubjectTypeUnknown(
            f"no workflow subject adapter registered for {subject_type!r}"
        ) from None
