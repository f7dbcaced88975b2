"""Publishing events and delivering them to their handlers.

Guarantees:
- ``publish`` writes the event and its delivery rows in the caller's transaction: a
  rolled-back change publishes nothing, a committed one is never lost.
- After commit a task is enqueued to deliver at once; if that fails (queue down, process
  killed), ``sweep_due`` finds the PENDING rows later.
- A worker killed mid-delivery (``kill -9``) stops renewing its lease; within
  ``ONEWINDOW_WORKER_LEASE_SECONDS`` plus one sweep its RUNNING deliveries are reclaimed and
  ``workers_reap`` marks its background-task rows failed (ADR 0026).
- A handler runs in one transaction with its delivery's SUCCEEDED mark, so its database
  writes commit exactly once. Effects outside the database (mail, SMS, HTTP) can repeat
  after a crash; such handlers must be idempotent themselves.
"""

import datetime as dt
import json
import logging
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.common.errors import Conflict
from onewindow.common.redaction import redact_text
from onewindow.common.request_context import get_request_id, reset_request_id, set_request_id

from . import registry
from .models import EventDelivery, OutboxEvent, WorkerLease
from .workers import current_worker_id

logger = logging.getLogger(__name__)

Status = EventDelivery.Status

MAX_BACKOFF_SECONDS = 3600
# A RUNNING row claimed outside a leased worker (no worker_id: a shell, a test) and not
# touched for this long belongs to a process that died mid-run. Rows claimed by a worker
# are reclaimed as soon as its lease lapses instead. Either way the live worker holds a
# row lock while an atomic handler runs, and the attempt number fences off the others.
STALE_RUNNING_AFTER = dt.timedelta(minutes=10)
# Dead leases stay this long for the admin to see which worker died, then go.
FORGET_DEAD_LEASES_AFTER = dt.timedelta(days=1)
MAX_ERROR_CHARS = 8000

_SECRET_RE = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|authorization)(\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|\S+)"
)


class DeliveryNotFailed(Conflict):
    code = "events.delivery-not-failed"


@dataclass(frozen=True)
class DeliveredEvent:
    """What a handler receives: a read-only view of the stored event."""

    id: int
    name: str
    payload: Any
    occurred_at: dt.datetime
    aggregate_type: str
    aggregate_id: str
    request_id: str


@dataclass(frozen=True)
class DeliveryReport:
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0


def _max_attempts() -> int:
    return max(1, int(settings.ONEWINDOW_EVENTS_MAX_ATTEMPTS))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base … capped at one hour."""
    base = int(settings.ONEWINDOW_EVENTS_BACKOFF_SECONDS)
    seconds = min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return dt.timedelta(seconds=seconds)


def error_text(exc: BaseException) -> str:
    """The traceback of ``exc`` with ID numbers, phones and secrets masked, tail kept."""
    text = "".join(traceback.format_exception(exc))
    text = _SECRET_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = redact_text(text)
    if len(text) > MAX_ERROR_CHARS:
        text = "…" + text[-(MAX_ERROR_CHARS - 1) :]
    return text


def lease_duration() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.ONEWINDOW_WORKER_LEASE_SECONDS))


def _live_lease(now: dt.datetime):
    return WorkerLease.objects.filter(renewed_at__gt=now - lease_duration())


def _due(now: dt.datetime) -> Q:
    # A first attempt (attempts=0: fresh, or retried by an administrator) is always due,
    # so a worker whose clock lags the publisher's does not leave it for the sweeper.
    pending = Q(status=Status.PENDING) & (Q(attempts=0) | Q(next_attempt_at__lte=now))
    orphaned = ~Q(worker_id="") & ~Exists(_live_lease(now).filter(worker_id=OuterRef("worker_id")))
    unleased_stale = Q(worker_id="", updated_at__lte=now - STALE_RUNNING_AFTER)
    return pending | (Q(status=Status.RUNNING) & (orphaned | unleased_stale))


def _enqueue_delivery(event_id: int) -> None:
    """Ask a worker to deliver now. Never raises: the sweeper is the safety net."""
    from . import tasks  # the tasks module imports this one

    try:
        tasks.deliver_event_task.enqueue(event_id)
    except Exception:
        logger.warning(
            "enqueue of event %s failed; the sweeper will deliver it", event_id, exc_info=True
        )


# --- publishing -------------------------------------------------------------------------


def publish(
    *,
    name: str,
    payload: Mapping[str, Any],
    aggregate_type: str = "",
    aggregate_id: str = "",
    now: dt.datetime,
) -> OutboxEvent:
    """Store an event for every subscribed handler, inside the caller's transaction."""
    if not name:
        raise ValueError("publish needs an event name")
    # Round-trip through JSON now, so what the publisher returns is what handlers get.
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder, allow_nan=False))
    # No savepoint: nothing catches a failure here to carry on without the event, so the
    # caller's transaction is the unit (outside one, this block is the transaction).
    with transaction.atomic(savepoint=False):
        event = OutboxEvent.objects.create(
            name=name,
            payload=payload,
            aggregate_type=aggregate_type,
            aggregate_id=str(aggregate_id),
            occurred_at=now,
            request_id=get_request_id(),
        )
        handlers = registry.handlers_for(name)
        EventDelivery.objects.bulk_create(
            EventDelivery(
                event=event, handler=path, status=Status.PENDING, next_attempt_at=now,
                updated_at=now,
            )
            for path in handlers
        )
        if handlers:
            transaction.on_commit(lambda: _enqueue_delivery(event.pk))
    return event


# --- delivering -------------------------------------------------------------------------


def _claim(delivery_id: int, now: dt.datetime) -> int | None:
    """Mark a due delivery RUNNING and count the attempt; return the attempt number.

    The attempt is committed before the handler runs, so a handler that kills its worker
    still uses up attempts and ends FAILED instead of crashing workers forever.
    """
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic(durable=True):
        delivery = (
            EventDelivery.objects.select_for_update(skip_locked=skip_locked)
            .filter(_due(now), pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None  # done, not due, or another worker has it
        if delivery.attempts >= _max_attempts():
            # Only a stale RUNNING row gets here: its worker died on the last attempt.
            delivery.status = Status.FAILED
            delivery.last_error = (delivery.last_error + "\n" if delivery.last_error else "") + (
                "处理程序运行中断，已达最大尝试次数。"
            )
            delivery.updated_at = now
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            return None
        delivery.status = Status.RUNNING
        delivery.attempts += 1
        delivery.updated_at = now
        delivery.worker_id = current_worker_id()
        delivery.save(update_fields=["status", "attempts", "updated_at", "worker_id"])
        return delivery.attempts


def _view(event: OutboxEvent) -> DeliveredEvent:
    return DeliveredEvent(
        id=event.pk,
        name=event.name,
        payload=event.payload,
        occurred_at=event.occurred_at,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        request_id=event.request_id,
    )


def _locked_claim(delivery_id: int, attempt: int) -> EventDelivery | None:
    """Lock the delivery if it is still ours: RUNNING with the attempt we claimed.

    The attempt number fences off a worker whose stale claim was taken over meanwhile.
    """
    delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.RUNNING or delivery.attempts != attempt:
        return None
    return delivery


def _call(func, event: OutboxEvent) -> None:
    # Rows the handler audits carry the id of the request that caused the event.
    token = set_request_id(event.request_id or get_request_id())
    try:
        func(_view(event))
    finally:
        reset_request_id(token)


def _mark_succeeded(delivery: EventDelivery, now: dt.datetime) -> None:
    delivery.status = Status.SUCCEEDED
    delivery.succeeded_at = now
    delivery.updated_at = now
    delivery.last_error = ""
    delivery.save(update_fields=["status", "succeeded_at", "updated_at", "last_error"])


def _run(delivery_id: int, attempt: int, now: dt.datetime) -> bool | None:
    """Run the handler and mark success; True if it ran, False if it raised, None if the
    claim was lost to another worker."""
    try:
        delivery = EventDelivery.objects.select_related("event").get(pk=delivery_id)
        func = import_string(delivery.handler)
        if getattr(func, "events_atomic", True):
            with transaction.atomic(durable=True):
                # The row lock is held while the handler runs, so a sweeper skips the
                # row; the handler's writes and the SUCCEEDED mark commit together.
                if (locked := _locked_claim(delivery_id, attempt)) is None:
                    return None
                _call(func, delivery.event)
                _mark_succeeded(locked, now)
        else:
            # The handler manages its own (durable) transactions; success is marked
            # afterwards, so a crash in between runs it again: it must be idempotent.
            _call(func, delivery.event)
            with transaction.atomic(durable=True):
                if (locked := _locked_claim(delivery_id, attempt)) is None:
                    return None
                _mark_succeeded(locked, now)
        return True
    except Exception as exc:
        _record_failure(delivery_id, attempt, exc, now)
        return False


def _record_failure(delivery_id: int, attempt: int, exc: Exception, now: dt.datetime) -> None:
    message = error_text(exc)
    with transaction.atomic(durable=True):
        if (delivery := _locked_claim(delivery_id, attempt)) is None:
            return
        delivery.last_error = message
        delivery.updated_at = now
        if delivery.attempts >= _max_attempts():
            delivery.status = Status.FAILED
        else:
            delivery.status = Status.PENDING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "last_error", "updated_at", "next_attempt_at"])
    logger.warning(
        "event delivery %s (%s) attempt %s failed, now %s: %s",
        delivery_id, delivery.handler, attempt, delivery.status,
        message.strip().splitlines()[-1] if message.strip() else "",
    )


def _deliver_ids(delivery_ids: list[int], now: dt.datetime) -> DeliveryReport:
    # Deliberately not one transaction: each delivery's claim, handler run and failure
    # record commit on their own (durable blocks in _claim/_run/_record_failure), so one
    # failing handler never rolls back the deliveries before it.
    attempted = succeeded = failed = 0
    for delivery_id in delivery_ids:
        attempt = _claim(delivery_id, now)
        if attempt is None:
            continue
        outcome = _run(delivery_id, attempt, now)
        if outcome is None:
            continue
        attempted += 1
        if outcome:
            succeeded += 1
        else:
            failed += 1
    return DeliveryReport(attempted=attempted, succeeded=succeeded, failed=failed)


def deliver_event(*, event_id: int, now: dt.datetime) -> DeliveryReport:
    """Deliver every due delivery of one event, each to its handler."""
    ids = list(
        EventDelivery.objects.filter(_due(now), event_id=event_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return _deliver_ids(ids, now)


def sweep_due(*, now: dt.datetime, limit: int = 500) -> DeliveryReport:
    """Deliver what is due: PENDING rows whose time has come, stale RUNNING rows.

    Run periodically by every worker; safe to run on several hosts at once.
    """
    ids = list(
        EventDelivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return _deliver_ids(ids, now)


# --- worker leases -----------------------------------------------------------------------


class WorkerLost(Exception):
    """Recorded on a background-task row whose worker died while running it."""


@dataclass(frozen=True)
class ReapReport:
    tasks_failed: int = 0
    leases_forgotten: int = 0


def lease_renew(*, worker_id: str, hostname: str, pid: int | None, now: dt.datetime) -> None:
    """Say that ``worker_id`` is alive at ``now`` (creating its lease on the first call)."""
    if WorkerLease.objects.filter(worker_id=worker_id).update(renewed_at=now):
        return
    WorkerLease.objects.get_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "pid": pid, "started_at": now, "renewed_at": now},
    )


def lease_release(*, worker_id: str) -> None:
    """A worker stopping cleanly gives its lease up: it has finished what it ran."""
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def workers_reap(*, now: dt.datetime) -> ReapReport:
    """Mark failed the background-task rows whose worker's lease lapsed while they ran,
    and forget leases dead for a day. Their event deliveries need nothing here: the
    events sweep reclaims RUNNING deliveries of dead workers (``_due``).

    Run periodically by every worker; the conditional UPDATE makes concurrent runs safe.
    """
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend is configured
        return ReapReport()
    from django.tasks import TaskResultStatus

    dead = set(
        WorkerLease.objects.filter(renewed_at__lte=now - lease_duration())
        .values_list("worker_id", flat=True)
    )
    failed = 0
    if dead:
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        for pk, worker_ids in running.values_list("id", "worker_ids"):
            if not worker_ids or worker_ids[-1] not in dead:
                continue
            failed += DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: worker {worker_ids[-1]} stopped renewing its lease "
                          f"while running this task; marked failed at {now.isoformat()}.\n",
            )
    forgotten, _ = WorkerLease.objects.filter(
        renewed_at__lte=now - FORGET_DEAD_LEASES_AFTER).delete()
    if failed:
        logger.warning("%s background task(s) of dead workers marked failed", failed)
    return ReapReport(tasks_failed=failed, leases_forgotten=forgotten)


def delivery_retry(*, actor: Actor, delivery: EventDelivery, now: dt.datetime) -> EventDelivery:
    """Give a FAILED delivery a fresh set of attempts, starting now.

    Who may do this (``events.retry_delivery``) is checked by the caller.
    """
    with transaction.atomic(durable=True):
        locked = EventDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != Status.FAILED:
            raise DeliveryNotFailed(_("只有投递失败的记录才能重试。"))
        before = {"status": locked.status, "attempts": locked.attempts}
        locked.status = Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = now
        locked.updated_at = now
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(
            actor=actor,
            action="events.delivery.retried",
            subject_type="events.delivery",
            subject_id=str(locked.pk),
            before=before,
            after={"status": locked.status, "attempts": 0, "handler": locked.handler,
                   "event": locked.event_id},
            now=now,
        )
        event_id = locked.event_id
        transaction.on_commit(lambda: _enqueue_delivery(event_id))
    return locked
