"""``onewindow serve``: the web server (gunicorn, threaded workers, static files by
WhiteNoise), sized from the cores it may use (ADR 0029)."""

import math
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from onewindow.common.db import SIDE_POOL_MAX_SIZE, close_connections_and_pools
from onewindow.common.request_context import SERVED_BASE_ENV


class _Server(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from onewindow.wsgi import application

        return application


# gunicorn's combined log format with the path instead of the request line: query strings
# can carry secrets (the deprecated GET progress lookup's query code), so none are logged.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
# The longest request line gunicorn accepts (its maximum short of "unlimited"): a long URL
# reaches Django, which answers with its own 404/400 page instead of a bare 414.
LIMIT_REQUEST_LINE = 8190


def server_options(*, bind: str, workers: int, threads: int) -> dict:
    """The gunicorn settings ``serve`` runs with (a function so tests can read them)."""
    return {
        "bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
        "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT, "timeout": 60,
        "limit_request_line": LIMIT_REQUEST_LINE,
    }


# Python runs one thread at a time per process, so one worker process per core; its
# threads keep that core busy while requests wait on the database or the storage. Two
# workers at least, so one slow request or a worker restart never stalls the whole server.
MIN_WORKERS = 2
DEFAULT_THREADS = 4
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


@dataclass(frozen=True)
class Sizing:
    cores: int
    workers: int
    threads: int


def available_cores(*, cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The cores this process may use: its CPU affinity, lowered to a container's CPU
    quota (cgroup v2 ``cpu.max``: "quota period", or "max" for none)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 here, or unreadable: the affinity stands
    return cores


def server_sizing(*, cores: int, workers: int | None = None,
                  threads: int | None = None) -> Sizing:
    """Workers and threads for ``cores``; a given number (flag or variable) wins."""
    return Sizing(cores=cores, workers=workers or max(MIN_WORKERS, cores),
                  threads=threads or DEFAULT_THREADS)


def _env_int(*names: str) -> int | None:
    for name in names:
        if os.environ.get(name):
            return int(os.environ[name])
    return None


def database_line(sizing: Sizing, database: dict, *, servers: int) -> str:
    """What the chosen sizing means for PostgreSQL connections ("" for SQLite)."""
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return ""
    pool = database.get("OPTIONS", {}).get("pool")
    if pool:
        per_process = pool["max_size"] + SIDE_POOL_MAX_SIZE
        how = (f"a pool of {pool['min_size']}–{pool['max_size']} connections per worker "
               f"(+{SIDE_POOL_MAX_SIZE} for case-number serials)")
    else:
        per_process = sizing.threads
        how = "one persistent connection per thread (ONEWINDOW_DB_POOL=true pools them)"
    here = sizing.workers * per_process
    line = f"PostgreSQL: {how}; at most {here} connections from this server"
    if servers > 1:
        line += f", {here * servers} from {servers} servers (ONEWINDOW_SERVERS)"
    line += "."
    if pool and pool["max_size"] < sizing.threads:
        line += (f" {sizing.threads} threads share {pool['max_size']} connections: a request "
                 f"waits up to {pool['timeout']:g} s for one.")
    return line


def served_base_url(bind: str) -> str:
    """http://host:port for a gunicorn bind; a wildcard host becomes this machine's name."""
    if bind.startswith("unix:"):
        return ""
    host, _, port = bind.rpartition(":")
    if not host:
        host, port = bind, "80"
    if host in ("0.0.0.0", "[::]", "::", ""):  # noqa: S104  reading a bind, not binding
        host = socket.gethostname()
    return f"http://{host}:{port}" if port != "80" else f"http://{host}"


class Command(BaseCommand):
    help = "Serve OneWindow over HTTP."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ONEWINDOW_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=_env_int("ONEWINDOW_WEB_WORKERS", "WEB_WORKERS"),
            help="worker processes (default: one per core, at least 2; "
                 "or ONEWINDOW_WEB_WORKERS)")
        parser.add_argument(
            "--threads", type=int, default=_env_int("ONEWINDOW_WEB_THREADS"),
            help=f"threads per worker (default {DEFAULT_THREADS}, or ONEWINDOW_WEB_THREADS)")

    def handle(self, *args, bind, workers=None, threads=None, **options):
        sizing = server_sizing(cores=available_cores(), workers=workers, threads=threads)
        self.stdout.write(
            f"Serving on http://{bind}/ with {sizing.workers} workers × {sizing.threads} "
            f"threads ({sizing.cores} cores; --workers/--threads or ONEWINDOW_WEB_WORKERS/"
            "ONEWINDOW_WEB_THREADS change it).")
        line = database_line(sizing, settings.DATABASES["default"],
                             servers=getattr(settings, "ONEWINDOW_SERVERS", 1))
        if line:
            self.stdout.write(line)
        # Links printed outside a request (notices rendered by the worker) follow the
        # served address unless ONEWINDOW_PUBLIC_BASE_URL says otherwise.
        os.environ.setdefault(SERVED_BASE_ENV, served_base_url(bind))
        # `onewindow demo --serve` used the database in this process: the workers forked
        # next must not inherit its connections or pools.
        close_connections_and_pools()
        _Server(server_options(bind=bind, workers=sizing.workers,
                               threads=sizing.threads)).run()
