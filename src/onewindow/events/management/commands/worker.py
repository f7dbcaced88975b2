"""``onewindow worker``: the background process.

Runs django-tasks-db's ``db_worker`` in the foreground and, beside it, a thread that
enqueues the periodic tasks (events sweep, deadline sweeps of higher apps) and one that
renews the worker's lease (ADR 0026). Start as many as needed on as many hosts as needed;
they share the database queue.
"""

import os
import socket

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from onewindow.events.schedule import PeriodicEnqueuer, enqueue_periodic, periodic_tasks
from onewindow.events.services import lease_release, lease_renew
from onewindow.events.workers import LeaseKeeper, new_worker_id, set_current_worker_id


class Command(BaseCommand):
    help = "运行后台任务进程（任务队列 + 周期任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default",
                            help="要处理的队列，逗号分隔；'*' 表示全部（默认 default）。")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="队列为空时的轮询间隔（秒，默认 1）。")
        parser.add_argument("--backend", dest="backend_name", default="default",
                            help="任务后端别名（默认 default）。")
        parser.add_argument("--max-tasks", type=int, default=None,
                            help="执行这么多任务后退出。")
        parser.add_argument("--worker-id", default=None, help="进程标识，须在所有进程中唯一。")
        parser.add_argument("--batch", action="store_true",
                            help="各周期任务入队一次，处理完队列后退出（适合 cron）。")
        parser.add_argument("--no-periodic", action="store_false", dest="periodic",
                            help="不运行周期任务（只处理队列）。")

    def handle(self, *args, queue_name, interval, backend_name, max_tasks, worker_id, batch,
               periodic, **options):
        worker_options = {
            "queue_name": queue_name,
            "interval": interval,
            "backend_name": backend_name,
            "batch": batch,
            # The reloader would re-run this command in a child and start a second
            # periodic thread; restart workers on deploy instead.
            "reload": False,
            "verbosity": options.get("verbosity", 1),
        }
        if max_tasks is not None:
            worker_options["max_tasks"] = max_tasks
        worker_id = worker_id or new_worker_id()
        worker_options["worker_id"] = worker_id
        # The lease exists before the first claim, so every claim names a live worker.
        lease_renew(worker_id=worker_id, hostname=socket.gethostname(), pid=os.getpid(),
                    now=timezone.now())
        set_current_worker_id(worker_id)
        lease = LeaseKeeper(worker_id)
        lease.start()
        try:
            self._run(worker_options, periodic=periodic, batch=batch)
        finally:
            lease.stop()
            if lease.is_alive():
                lease.join(timeout=5)
            set_current_worker_id("")
            lease_release(worker_id=worker_id)

    def _run(self, worker_options: dict, *, periodic: bool, batch: bool) -> None:
        scheduled = periodic_tasks() if periodic else []
        if batch:
            for item in scheduled:
                enqueue_periodic(item)
            call_command("db_worker", stdout=self.stdout, stderr=self.stderr, **worker_options)
            return

        thread = PeriodicEnqueuer(scheduled)
        if scheduled:
            names = ", ".join(f"{p.task.name}/{p.every_seconds:g}s" for p in scheduled)
            self.stdout.write(f"周期任务：{names}")
            thread.start()
        try:
            call_command("db_worker", stdout=self.stdout, stderr=self.stderr, **worker_options)
        finally:
            thread.stop()
            if thread.is_alive():
                thread.join(timeout=5)
