"""``onewindow serve``: the web server (gunicorn, threaded workers, static files by
WhiteNoise)."""

import os
import socket

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

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
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **options):
        self.stdout.write(f"Serving on http://{bind}/")
        # Links printed outside a request (notices rendered by the worker) follow the
        # served address unless ONEWINDOW_PUBLIC_BASE_URL says otherwise.
        os.environ.setdefault(SERVED_BASE_ENV, served_base_url(bind))
        _Server(server_options(bind=bind, workers=workers, threads=threads)).run()
