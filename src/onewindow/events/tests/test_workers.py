"""Worker leases: a killed worker's deliveries and task rows are recovered in under a
minute, a live worker's never (ADR 0026)."""

import datetime as dt
import time

import pytest
from django.tasks import TaskResultStatus
from django.test import override_settings

from onewindow.events import services, workers
from onewindow.events.models import EventDelivery, WorkerLease
from onewindow.events.services import lease_renew, publish, sweep_due, workers_reap

from . import handlers

pytestmark = pytest.mark.django_db

Status = EventDelivery.Status
LEASE = dt.timedelta(seconds=20)


def _running(event, *, worker_id, at):
    """What a worker leaves behind when it is killed between claim and success."""
    EventDelivery.objects.filter(event=event).update(
        status=Status.RUNNING, attempts=1, worker_id=worker_id, updated_at=at)


@override_settings(ONEWINDOW_WORKER_LEASE_SECONDS=20)
def test_a_killed_workers_delivery_is_reclaimed_once_its_lease_lapses(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    lease_renew(worker_id="w-killed", hostname="h", pid=1, now=now)
    _running(event, worker_id="w-killed", at=now)

    assert sweep_due(now=now + dt.timedelta(seconds=10)).attempted == 0  # lease still valid
    report = sweep_due(now=now + LEASE + dt.timedelta(seconds=5))
    assert report.succeeded == 1
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (Status.SUCCEEDED, 2)
    assert handlers.CALLS == {"record": 1}


@override_settings(ONEWINDOW_WORKER_LEASE_SECONDS=20)
def test_a_live_workers_long_delivery_is_never_taken_from_it(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    _running(event, worker_id="w-busy", at=now)
    later = now + dt.timedelta(minutes=30)
    lease_renew(worker_id="w-busy", hostname="h", pid=1, now=later)  # still renewing

    assert sweep_due(now=later + dt.timedelta(seconds=1)).attempted == 0
    assert event.deliveries.get().status == Status.RUNNING


def test_a_claim_names_the_worker_that_made_it(now, subscriptions, monkeypatch):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    delivery = event.deliveries.get()
    monkeypatch.setattr(workers, "_current_worker_id", "w-7")
    assert services._claim(delivery.pk, now) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.worker_id) == (Status.RUNNING, "w-7")


def _task_row(worker_id: str, **extra):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [1], "kwargs": {}},
        task_path="onewindow.events.tasks.deliver_event_task", backend_name="default",
        run_after=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), worker_ids=[worker_id], **extra)


@override_settings(ONEWINDOW_WORKER_LEASE_SECONDS=20)
def test_the_reaper_marks_the_task_rows_of_dead_workers_failed(now):
    lease_renew(worker_id="w-dead", hostname="h", pid=1, now=now - dt.timedelta(seconds=30))
    lease_renew(worker_id="w-live", hostname="h", pid=2, now=now)
    dead, live, unleased = _task_row("w-dead"), _task_row("w-live"), _task_row("db-worker")

    report = workers_reap(now=now)

    assert report.tasks_failed == 1
    dead.refresh_from_db(), live.refresh_from_db(), unleased.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED and dead.finished_at == now
    assert dead.exception_class_path == "onewindow.events.services.WorkerLost"
    assert "w-dead" in dead.traceback
    # A live worker's row, and one of a worker we know nothing about, are left alone.
    assert live.status == unleased.status == TaskResultStatus.RUNNING
    assert workers_reap(now=now).tasks_failed == 0


def test_dead_leases_are_forgotten_after_a_day_live_ones_renewed(now):
    lease_renew(worker_id="w-old", hostname="h", pid=1, now=now - dt.timedelta(days=2))
    lease_renew(worker_id="w-live", hostname="h", pid=2, now=now - dt.timedelta(seconds=5))
    lease_renew(worker_id="w-live", hostname="h", pid=2, now=now)
    assert workers_reap(now=now).leases_forgotten == 1
    lease = WorkerLease.objects.get()
    assert (lease.worker_id, lease.renewed_at, lease.started_at) == (
        "w-live", now, now - dt.timedelta(seconds=5))


# transactional: the keeper's thread has its own connection and commits.
@pytest.mark.django_db(transaction=True)
def test_the_lease_keeper_renews_until_stopped():
    keeper = workers.LeaseKeeper("w-thread", every_seconds=0.01)
    keeper.start()
    deadline = time.monotonic() + 5
    renewals = set()
    while len(renewals) < 2 and time.monotonic() < deadline:
        renewals |= set(WorkerLease.objects.filter(worker_id="w-thread")
                        .values_list("renewed_at", flat=True))
        time.sleep(0.01)
    keeper.stop()
    keeper.join(timeout=2)
    assert not keeper.is_alive()
    assert len(renewals) >= 2
