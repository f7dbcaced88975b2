"""``onewindow demo``: migrate, load the demo data, print the demo accounts, and with
``--serve`` start the background worker and the web server on http://127.0.0.1:8000."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from onewindow.web import demo


class Command(BaseCommand):
    help = "Load demo data (idempotent) and optionally serve the platform."

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="start worker and web server")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, serve=False, bind="127.0.0.1:8000", **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已就绪 (database migrated).")
        demo.load_identity(now=timezone.now())
        self.stdout.write("演示数据已加载 (demo data loaded).")
        self._print_accounts(bind)
        if not serve:
            return
        worker = subprocess.Popen([sys.executable, "-m", "onewindow", "worker"])
        try:
            call_command("serve", bind=bind)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _print_accounts(self, bind):
        self.stdout.write("")
        self.stdout.write(f"OneWindow 演示: http://{bind}/  (工作台 http://{bind}/staff/)")
        self.stdout.write(f"演示账户，密码均为 {demo.DEMO_PASSWORD}:")
        for account in demo.demo_accounts():
            self.stdout.write(f"  {account.username:<14} {account.role:<24} {account.where}")
        self.stdout.write("")
