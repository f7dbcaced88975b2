"""Periodic tasks: django.tasks has no scheduler, so each ``onewindow worker`` runs a
small thread that enqueues the registered tasks at their interval.

Every worker on every host does this, so a periodic task runs about once per interval
per worker: periodic tasks must be idempotent (the sweeps are: they claim rows with
database locks). While an earlier run of the same task still waits in the database queue
no new one is enqueued, so a busy or stopped queue does not pile up copies.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass

from django.db import close_old_connections, connections
from django.tasks import Task, TaskResultStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task: Task
    every_seconds: float


_periodic: dict[str, Periodic] = {}


def register_periodic(task: Task, every_seconds: float) -> None:
    """Enqueue ``task`` (no arguments) every ``every_seconds`` from every worker.

    Call it from AppConfig.ready(); registering the same task again replaces its interval.
    """
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _periodic[task.module_path] = Periodic(task=task, every_seconds=float(every_seconds))


def periodic_tasks() -> list[Periodic]:
    return list(_periodic.values())


def _already_waiting(task: Task) -> bool:
    """True if the database queue already holds a not-yet-started run of ``task``."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend is configured and the app is not installed
        return False
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def enqueue_periodic(periodic: Periodic) -> bool:
    """Enqueue one run unless one is already waiting; never raises. True if enqueued."""
    try:
        if _already_waiting(periodic.task):
            return False
        periodic.task.enqueue()
        return True
    except Exception:
        logger.warning("periodic task %s could not be enqueued",
                       periodic.task.module_path, exc_info=True)
        return False


class PeriodicEnqueuer(threading.Thread):
    """Background thread of ``onewindow worker``; stops when ``stop()`` is called."""

    def __init__(self, periodic: list[Periodic] | None = None, *, tick: float = 1.0):
        super().__init__(name="onewindow-periodic", daemon=True)
        self.periodic = periodic if periodic is not None else periodic_tasks()
        self.tick = tick
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        # A random first delay spreads workers that start together (a deployment).
        start = time.monotonic()
        due = {
            p.task.module_path: start + random.uniform(0, min(p.every_seconds, 5.0))
            for p in self.periodic
        }
        try:
            while not self._stopped.is_set():
                now = time.monotonic()
                for periodic in self.periodic:
                    key = periodic.task.module_path
                    if now >= due[key]:
                        close_old_connections()
                        enqueue_periodic(periodic)
                        due[key] = now + periodic.every_seconds
                self._stopped.wait(self.tick)
        finally:
            connections.close_all()
