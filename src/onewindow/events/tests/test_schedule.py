import signal
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from onewindow.events import schedule, tasks
from onewindow.events.models import EventDelivery
from onewindow.events.services import publish

from . import handlers


@pytest.fixture
def clean_schedule():
    saved = dict(schedule._periodic)
    yield
    schedule._periodic.clear()
    schedule._periodic.update(saved)


def test_events_sweep_is_registered_by_default():
    registered = {p.task.module_path: p.every_seconds for p in schedule.periodic_tasks()}
    assert registered["onewindow.events.tasks.sweep_task"] == 30


def test_register_periodic_replaces_and_validates(clean_schedule):
    schedule.register_periodic(handlers.tick_task, 10)
    schedule.register_periodic(handlers.tick_task, 20)
    matching = [p for p in schedule.periodic_tasks() if p.task == handlers.tick_task]
    assert [p.every_seconds for p in matching] == [20]
    with pytest.raises(ValueError):
        schedule.register_periodic(handlers.tick_task, 0)


def test_enqueuer_thread_enqueues_at_its_interval_and_stops():
    handlers.TICKS.clear()
    thread = schedule.PeriodicEnqueuer(
        [schedule.Periodic(task=handlers.tick_task, every_seconds=0.05)], tick=0.01
    )
    thread.start()
    deadline = time.monotonic() + 5
    while len(handlers.TICKS) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert len(handlers.TICKS) >= 3


def test_enqueue_failures_are_swallowed(monkeypatch):
    class Broken:
        module_path = "x.broken"

        def get_backend(self):
            return None

        def enqueue(self):
            raise ConnectionError("down")

    assert schedule.enqueue_periodic(schedule.Periodic(task=Broken(), every_seconds=1)) is False


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def restore_signals():
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# transactional: db_worker calls close_old_connections(), which closes a connection
# caught inside a test transaction (PostgreSQL).
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_batch_runs_the_sweep_through_the_database_queue(now, restore_signals):
    from django_tasks_db.models import DBTaskResult

    from onewindow.events import registry

    with registry.override({"test.w": ["onewindow.events.tests.handlers.record"]}):
        event = publish(name="test.w", payload={}, now=now)
        # A sweep already waiting in the queue is not enqueued a second time.
        tasks.sweep_task.enqueue()
        call_command("worker", "--batch", "--interval", "0", stdout=StringIO())
    assert event.deliveries.get().status == EventDelivery.Status.SUCCEEDED
    assert DBTaskResult.objects.filter(task_path=tasks.sweep_task.module_path).count() == 1
    assert handlers.CALLS == {"record": 1}
    # The worker held a lease while it ran, its claim named it, and it gave the lease up.
    from onewindow.events.models import WorkerLease

    assert event.deliveries.get().worker_id != ""
    assert not WorkerLease.objects.exists()
