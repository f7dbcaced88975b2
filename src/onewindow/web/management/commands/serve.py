"""``onewindow serve``: the web server (gunicorn, threaded workers, static files by
WhiteNoise)."""

import os

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


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


class Command(BaseCommand):
    help = "Serve OneWindow over HTTP."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ONEWINDOW_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **options):
        self.stdout.write(f"Serving on http://{bind}/")
        _Server({
            "bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
            "accesslog": "-", "timeout": 60,
        }).run()
