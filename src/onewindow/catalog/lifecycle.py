"""The lifecycle of an implementation: one table of allowed moves and one ``transition``
that checks a move, appends it to the action log, sets the status, audits and publishes
it (DESIGN rule 2). Nothing else assigns ``Implementation.status``.

    新增 CREATE   first publication          ACTIVE             → ACTIVE
    变更 CHANGE   publish a new version      ACTIVE, SUSPENDED  → (unchanged)
    暂停 SUSPEND                             ACTIVE             → SUSPENDED
    恢复 RESUME                              SUSPENDED          → ACTIVE
    取消 CANCEL                              ACTIVE, SUSPENDED  → CANCELLED (final)
    进驻调整 HALL  on/off the 进驻负面清单     ACTIVE, SUSPENDED  → (unchanged)
"""

import datetime as dt

from onewindow.audit.services import audit_record
from onewindow.common.lifecycle import Lifecycle, Move
from onewindow.events.services import publish

from . import events
from .codes import ImplementationStatus, Operation, VersionStatus
from .errors import InvalidTransition, ItemConflict
from .models import Implementation, ImplementationAction, ImplementationVersion

Status = ImplementationStatus
_OPEN = frozenset({Status.ACTIVE, Status.SUSPENDED})

TRANSITIONS: dict[str, Move] = {
    Operation.CREATE: Move(frozenset({Status.ACTIVE}), Status.ACTIVE, events.ITEM_PUBLISHED),
    Operation.CHANGE: Move(_OPEN, None, events.ITEM_PUBLISHED),
    Operation.SUSPEND: Move(frozenset({Status.ACTIVE}), Status.SUSPENDED, events.ITEM_SUSPENDED),
    Operation.RESUME: Move(frozenset({Status.SUSPENDED}), Status.ACTIVE, events.ITEM_RESUMED),
    Operation.CANCEL: Move(_OPEN, Status.CANCELLED, events.ITEM_CANCELLED),
    Operation.HALL: Move(_OPEN, None, events.ITEM_HALL_CHANGED),
}

SUBJECT_TYPE = "catalog.implementation"

def _refusal(implementation: Implementation, operation: str) -> str:
    return (f"事项当前状态为“{implementation.get_status_display()}”，不能执行"
            f"“{Operation(operation).label}”。")


LIFECYCLE = Lifecycle(
    model=Implementation, moves=TRANSITIONS, subject_type=SUBJECT_TYPE,
    conflict=ItemConflict, invalid_transition=InvalidTransition,
    audit=audit_record, publish=publish, audit_prefix="catalog.item",
    stamp_field="updated_at", action_model=ImplementationAction,
    action_subject="implementation", action_kind="operation",
    subject_id=lambda implementation: implementation.code,
    aggregate=lambda implementation: (SUBJECT_TYPE, implementation.code),
    payload=lambda implementation, _action: {
        "code": implementation.code, "organisation_id": implementation.organisation_id},
    refusal=_refusal, conflict_message="事项已被他人修改，请刷新后重试。",
    settable=frozenset({"current_version", "in_hall", "not_in_hall_reason"}),
)

# The versions of an implementation: a DRAFT is published once and superseded once by
# the next publication. The item's CREATE/CHANGE move (its action row, audit row and
# event) records both, so the version lifecycle writes only the status.
PUBLISH, SUPERSEDE = "PUBLISH", "SUPERSEDE"
VERSION_LIFECYCLE = Lifecycle(
    model=ImplementationVersion,
    moves={
        PUBLISH: Move(frozenset({VersionStatus.DRAFT}), VersionStatus.PUBLISHED),
        SUPERSEDE: Move(frozenset({VersionStatus.PUBLISHED}), VersionStatus.SUPERSEDED),
    },
    subject_type="catalog.version", conflict=ItemConflict,
    invalid_transition=InvalidTransition, conflict_message="事项版本已被他人修改，请刷新后重试。",
    settable=frozenset({"valid_from", "valid_to", "published_at", "published_by",
                        "change_reason"}),
)


def allowed_operations(implementation: Implementation) -> list[str]:
    """Operations the lifecycle table allows now (pages show only these buttons)."""
    result = []
    for operation in LIFECYCLE.allowed(implementation):
        if operation == Operation.CREATE and implementation.current_version_id:
            continue
        if operation in (Operation.SUSPEND, Operation.RESUME, Operation.CHANGE) and (
            not implementation.current_version_id
        ):
            continue
        result.append(operation)
    return result


def transition(
    implementation: Implementation, operation: str, *, actor, reason: str, now: dt.datetime,
    version: ImplementationVersion | None = None, before: dict | None = None,
    after: dict | None = None, payload: dict | None = None, fields: dict | None = None,
) -> ImplementationAction:
    """Check a move against TRANSITIONS, set the status (and ``fields``: current version,
    hall presence) in one conditional UPDATE, log, publish and audit it."""
    action = LIFECYCLE.transition(
        implementation, operation, actor=actor, reason=reason, now=now, fields=fields,
        action={"version": version}, before=before, after=after,
        payload=payload or {"reason": reason},
    )
    if not isinstance(action, ImplementationAction):  # this lifecycle writes an action row
        raise TypeError(f"{operation} wrote no implementation action")
    return action


def version_move(version: ImplementationVersion, kind: str, *, now: dt.datetime,
                 fields: dict | None = None) -> None:
    """Publish or supersede one version (inside the item's CREATE/CHANGE service)."""
    VERSION_LIFECYCLE.transition(version, kind, actor=None, now=now, fields=fields)
