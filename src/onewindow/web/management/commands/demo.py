"""``onewindow demo``: migrate, load the demo data, print the demo accounts, and with
``--serve`` start the background worker and the web server on http://127.0.0.1:8000."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from onewindow.audit.services import audit_seal
from onewindow.catalog.importers.gdzwfw import import_gdzwfw
from onewindow.licences.demo import seed_demo_licences
from onewindow.web import demo, demo_items


class Command(BaseCommand):
    help = "Load demo data (idempotent) and optionally serve the platform."

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="start worker and web server")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-catalog", action="store_true",
                            help="skip importing the bundled Guangdong catalog (2,262 items)")

    def handle(self, *args, serve=False, bind="127.0.0.1:8000", no_catalog=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已就绪 (database migrated).")
        now = timezone.now()
        demo.load_identity(now=now)
        items = demo_items.load_demo_items(now=now)
        seed_demo_licences(now=now)
        self.stdout.write(f"演示数据已加载 (demo data loaded): {len(items)} 个威海演示事项。")
        if not no_catalog:
            report = import_gdzwfw(None, actor=None, now=now)
            self.stdout.write(report.lines()[0])
        # The workers seal every few seconds; the demo seals what it loaded right away,
        # so `onewindow audit-verify` and `audit-prove` work before the worker starts.
        sealed = audit_seal(now=timezone.now())
        self.stdout.write(f"审计日志已封存 (audit log sealed): {sealed.rows} 条。")
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
