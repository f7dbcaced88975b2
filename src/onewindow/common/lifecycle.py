"""The one lifecycle mechanism (DESIGN rules 2 and 11).

Each entity with a status declares one :class:`Lifecycle`: its table of allowed moves and
where the move is recorded (status field, version field, action-log model, audit and
event names). :meth:`Lifecycle.transition` is the only code that assigns the status:

1. check the move (a stale ``expected_version`` → the app's conflict error; a move the
   table does not allow from the current status → the app's invalid-transition error);
2. one conditional UPDATE — ``SET status = …, version = version + 1 WHERE pk = … AND
   version = n`` (or ``AND status = <from>`` for an entity without a version column),
   together with the columns the lifecycle derives from the move (``derive``: a case's
   deadlines, computed before the move); zero rows means someone else moved first: the
   conflict error, nothing written;
3. append the action row, 4. publish the move's event and the lifecycle's further
   events (``also_publish``: a case's closed event) into the outbox, 5. write the audit
   row, last — all in the caller's transaction. Last, because the audit sealer waits for
   a missing audit id only so long (docs/decisions/0027): the time from the audit row
   to the commit must stay short, so nothing app-specific runs after it.

``common`` sits under every app, so it does not import the audit and events apps: each
app hands its ``audit_record`` and ``publish`` to its Lifecycle (docs/decisions/0014).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F

from .errors import ApplicationError

AuditRecord = Callable[..., Any]
Publish = Callable[..., Any]


@dataclass(frozen=True)
class Move:
    """One row of a lifecycle table: the statuses a move may start from, the status it
    ends in (None: unchanged, the move is only logged) and the event it publishes."""

    sources: frozenset[str]
    target: str | None
    event: str | None = None


@dataclass(frozen=True)
class Change:
    """What a move did; handed to the hooks that shape the action row and the payload."""

    kind: str
    from_status: str
    to_status: str
    actor: Any
    now: dt.datetime
    reason: str


def account_or_none(actor):
    """The account to store in a foreign-key column (None for the system or anonymous)."""
    return actor if getattr(actor, "pk", None) else None


def _pk(obj) -> str:
    return str(obj.pk)


@dataclass(frozen=True)
class Lifecycle:
    """The lifecycle of one entity.

    ``action_model`` receives one row per move with ``<action_subject>`` (the entity),
    ``<action_kind>`` (the move), ``from_status``, ``to_status``, ``actor``,
    ``occurred_at`` and ``reason`` (plus what the caller adds). ``audit_prefix`` names the
    audit action (``<prefix>.<kind in lower case>``). An entity whose moves are recorded
    by a parent's move (a catalog version published by its item's 变更, a work item
    completed by its process step) leaves ``action_model`` and ``audit_prefix`` empty.

    ``derive(obj, change, action)`` returns further columns the move changes (computed
    before the UPDATE, written by it); ``also_publish(obj, row, change)`` yields
    ``(event name, payload)`` pairs published after the move's own event.
    """

    model: type[models.Model]
    moves: Mapping[str, Move]
    subject_type: str
    conflict: type[ApplicationError]
    invalid_transition: type[ApplicationError]
    audit: AuditRecord | None = None
    publish: Publish | None = None
    audit_prefix: str | None = None
    status_field: str = "status"
    version_field: str | None = None
    stamp_field: str | None = None  # set to ``now`` by every move (updated_at …)
    action_model: type[models.Model] | None = None
    action_subject: str = ""
    action_kind: str = "kind"
    subject_id: Callable[[Any], str] = _pk
    aggregate: Callable[[Any], tuple[str, str]] | None = None
    payload: Callable[[Any, Any], Mapping[str, Any]] | None = None
    refusal: Callable[[Any, str], str] | None = None
    derive: Callable[[Any, Change, Mapping[str, Any]], Mapping[str, Any]] | None = None
    also_publish: Callable[[Any, Any, Change], Iterable[tuple[str, Mapping[str, Any]]]] | None = (
        None)
    settable: frozenset[str] = field(default_factory=frozenset)
    conflict_message: str = "已被他人抢先处理，请刷新后重试。"

    def __post_init__(self):
        if self.audit_prefix and self.audit is None:
            raise ValueError(f"{self.subject_type}: an audited lifecycle needs ``audit``")
        if any(m.event for m in self.moves.values()) and self.publish is None:
            raise ValueError(f"{self.subject_type}: a lifecycle with events needs ``publish``")
        if self.action_model is not None and not self.action_subject:
            raise ValueError(f"{self.subject_type}: name the action row's ``action_subject``")

    # --- reading the table --------------------------------------------------------------

    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def can(self, obj, kind: str) -> bool:
        return self.status_of(obj) in self.moves[kind].sources

    def allowed(self, obj) -> list[str]:
        """The moves the table allows from the current status, in table order."""
        status = self.status_of(obj)
        return [kind for kind, move in self.moves.items() if status in move.sources]

    def check(self, obj, kind: str, *, expected_version: int | None = None) -> Move:
        """Raise unless ``kind`` may happen now: the conflict error if the caller's
        version is stale, the invalid-transition error if the table forbids the move."""
        move = self.moves.get(kind)
        if move is None:
            raise ValueError(f"{self.subject_type}: unknown move {kind!r}")
        if (expected_version is not None and self.version_field
                and expected_version != getattr(obj, self.version_field)):
            raise self.conflict(self.conflict_message)
        status = self.status_of(obj)
        if status not in move.sources:
            message = self.refusal(obj, kind) if self.refusal else (
                f"当前状态（{status}）不允许该操作（{kind}）。")
            raise self.invalid_transition(message, details={"status": status, "action": kind})
        return move

    # --- the one write ------------------------------------------------------------------

    def transition(
        self, obj, kind: str, *, actor, now: dt.datetime, reason: str = "",
        expected_version: int | None = None, fields: Mapping[str, Any] | None = None,
        action: Mapping[str, Any] | None = None, before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None, payload: Mapping[str, Any] | None = None,
    ):
        """Move ``obj`` by ``kind`` in the caller's transaction; update ``obj`` in place.

        ``fields``: other columns set in the same conditional UPDATE (only those named in
        ``settable``); ``action``: extra columns of the action row; ``before``/``after``:
        extra audit facts; ``payload``: extra event payload. Returns the action row (or
        None for a lifecycle without one).
        """
        move = self.check(obj, kind, expected_version=expected_version)
        fields = dict(fields or {})
        unknown = set(fields) - self.settable
        if unknown:
            raise ValueError(f"{self.subject_type}: a move cannot set {sorted(unknown)}")
        from_status = self.status_of(obj)
        to_status = move.target or from_status
        values: dict[str, Any] = {self.status_field: to_status, **fields}
        guard: dict[str, Any] = {"pk": obj.pk}
        if self.version_field:
            guard[self.version_field] = getattr(obj, self.version_field)
            values[self.version_field] = F(self.version_field) + 1
        else:
            guard[self.status_field] = from_status
        if self.stamp_field:
            values[self.stamp_field] = now
        change = Change(kind=kind, from_status=from_status, to_status=to_status, actor=actor,
                        now=now, reason=reason)
        if self.derive:
            derived = dict(self.derive(obj, change, action or {}))
            if set(derived) & {self.status_field, self.version_field}:
                raise ValueError(f"{self.subject_type}: derive cannot set the status")
            values.update(derived)
        if type(obj)._default_manager.filter(**guard).update(**values) != 1:
            raise self.conflict(self.conflict_message)
        for name, value in values.items():
            if name != self.version_field:
                setattr(obj, name, value)
        if self.version_field:
            setattr(obj, self.version_field, guard[self.version_field] + 1)
        row = self._record(obj, change, action)
        if move.event:
            self._publish(obj, move.event, row, payload, now)
        if self.also_publish:
            for name, extra in self.also_publish(obj, row, change):
                self._publish(obj, name, row, extra, now, base=False)
        if self.audit_prefix and self.audit is not None:  # both or neither (__post_init__)
            # Audit last, nothing after it (see the module docstring).
            self.audit(
                actor=actor, action=f"{self.audit_prefix}.{kind.lower()}",
                subject_type=self.subject_type, subject_id=self.subject_id(obj),
                before={"status": from_status, **(before or {})},
                after={"status": to_status, "reason": reason, **(after or {})}, now=now,
            )
        return row

    def transition_all(self, queryset: models.QuerySet, kind: str, *, expected: int,
                       fields: Mapping[str, Any] | None = None) -> int:
        """Bulk form for batch importers: move every row of ``queryset`` by ``kind``.

        Only for lifecycles whose moves a parent records (no action row, no audit, no
        event), e.g. the versions an import supersedes. Raises the conflict error,
        nothing written, unless exactly ``expected`` rows were in a source status."""
        move = self.moves[kind]
        if self.action_model is not None or self.audit_prefix or move.event:
            raise ValueError(f"{self.subject_type}: {kind} must go through transition()")
        if move.target is None:
            return 0
        fields = dict(fields or {})
        unknown = set(fields) - self.settable
        if unknown:
            raise ValueError(f"{self.subject_type}: a move cannot set {sorted(unknown)}")
        values: dict[str, Any] = {self.status_field: move.target, **fields}
        if self.version_field:
            values[self.version_field] = F(self.version_field) + 1
        moved = queryset.filter(**{f"{self.status_field}__in": move.sources}).update(**values)
        if moved != expected:
            raise self.conflict(self.conflict_message)
        return moved

    # --- pieces -------------------------------------------------------------------------

    def _record(self, obj, change: Change, extra: Mapping[str, Any] | None):
        if self.action_model is None:
            return None
        return self.action_model._default_manager.create(**{
            self.action_subject: obj, self.action_kind: change.kind,
            "from_status": change.from_status, "to_status": change.to_status,
            "actor": account_or_none(change.actor), "occurred_at": change.now,
            "reason": change.reason, **(extra or {}),
        })

    def _publish(self, obj, name: str, row, extra: Mapping[str, Any] | None,
                 now: dt.datetime, *, base: bool = True) -> None:
        if self.publish is None:
            raise ValueError(f"{self.subject_type}: a lifecycle with events needs ``publish``")
        aggregate_type, aggregate_id = (self.aggregate(obj) if self.aggregate
                                        else (self.subject_type, str(obj.pk)))
        common = self.payload(obj, row) if self.payload and base else {}
        self.publish(name=name, payload={**common, **(extra or {})},
                     aggregate_type=aggregate_type, aggregate_id=aggregate_id, now=now)

