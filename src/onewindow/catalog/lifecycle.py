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
from onewindow.events.services import publish

from . import events
from .codes import ImplementationStatus, Operation
from .errors import InvalidTransition
from .models import Implementation, ImplementationAction, ImplementationVersion

Status = ImplementationStatus

# operation → (statuses it may start from, status it ends in; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Operation.CREATE: (frozenset({Status.ACTIVE}), Status.ACTIVE),
    Operation.CHANGE: (frozenset({Status.ACTIVE, Status.SUSPENDED}), None),
    Operation.SUSPEND: (frozenset({Status.ACTIVE}), Status.SUSPENDED),
    Operation.RESUME: (frozenset({Status.SUSPENDED}), Status.ACTIVE),
    Operation.CANCEL: (frozenset({Status.ACTIVE, Status.SUSPENDED}), Status.CANCELLED),
    Operation.HALL: (frozenset({Status.ACTIVE, Status.SUSPENDED}), None),
}

_EVENT_OF = {
    Operation.SUSPEND: events.ITEM_SUSPENDED,
    Operation.RESUME: events.ITEM_RESUMED,
    Operation.CANCEL: events.ITEM_CANCELLED,
    Operation.HALL: events.ITEM_HALL_CHANGED,
}

SUBJECT_TYPE = "catalog.implementation"


def account_or_none(actor):
    """The account to store in a FK column (None for the system or an anonymous user)."""
    return actor if getattr(actor, "pk", None) else None


def allowed_operations(implementation: Implementation) -> list[str]:
    """Operations the lifecycle table allows now (pages show only these buttons)."""
    result = []
    for operation, (sources, _) in TRANSITIONS.items():
        if implementation.status not in sources:
            continue
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
    after: dict | None = None, payload: dict | None = None,
) -> ImplementationAction:
    """Check a move against TRANSITIONS, log it, set the status, audit and publish it."""
    sources, target = TRANSITIONS[operation]
    if implementation.status not in sources:
        raise InvalidTransition(
            f"事项当前状态为“{implementation.get_status_display()}”，不能执行"
            f"“{Operation(operation).label}”。",
            details={"status": implementation.status, "operation": operation},
        )
    old_status = implementation.status
    new_status = target or old_status
    action = ImplementationAction.objects.create(
        implementation=implementation, operation=operation, from_status=old_status,
        to_status=new_status, version=version, reason=reason,
        actor=account_or_none(actor), occurred_at=now,
    )
    implementation.status = new_status
    implementation.updated_at = now
    implementation.save(update_fields=["status", "current_version", "in_hall",
                                       "not_in_hall_reason", "updated_at"])
    audit_record(
        actor=actor, action=f"catalog.item.{Operation(operation).name.lower()}",
        subject_type=SUBJECT_TYPE, subject_id=implementation.code,
        before={"status": old_status, **(before or {})},
        after={"status": new_status, "reason": reason, **(after or {})}, now=now,
    )
    event_name = _EVENT_OF.get(operation, events.ITEM_PUBLISHED)
    publish(
        name=event_name,
        payload={"code": implementation.code, "organisation_id": implementation.organisation_id,
                 **(payload or {"reason": reason})},
        aggregate_type=SUBJECT_TYPE, aggregate_id=implementation.code, now=now,
    )
    return action
