"""The lease of a running ``onewindow worker``: which process this is, and the thread that
renews its ``WorkerLease`` row so others can tell it is alive (ADR 0026)."""

import logging
import os
import secrets
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

_current_worker_id = ""


def current_worker_id() -> str:
    """The lease id of this process, or "" outside ``onewindow worker``."""
    return _current_worker_id


def set_current_worker_id(worker_id: str) -> None:
    global _current_worker_id
    _current_worker_id = worker_id


def new_worker_id() -> str:
    """Unique across hosts and restarts, readable in the admin: host-pid-random."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def renew_every_seconds() -> float:
    # Three renewals fit in one lease, so one slow write does not make a live worker dead.
    return max(settings.ONEWINDOW_WORKER_LEASE_SECONDS / 3, 0.5)


class LeaseKeeper(threading.Thread):
    """Renews the lease until ``stop()``; never raises (a missed renewal is retried)."""

    def __init__(self, worker_id: str, *, every_seconds: float | None = None):
        super().__init__(name="onewindow-lease", daemon=True)
        self.worker_id = worker_id
        self.every_seconds = every_seconds or renew_every_seconds()
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def renew(self) -> None:
        from .services import lease_renew  # services imports this module

        try:
            close_old_connections()
            lease_renew(worker_id=self.worker_id, hostname=socket.gethostname(),
                        pid=os.getpid(), now=timezone.now())
        except Exception:
            logger.warning("lease %s could not be renewed", self.worker_id, exc_info=True)

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.every_seconds):
                self.renew()
        finally:
            connections.close_all()
