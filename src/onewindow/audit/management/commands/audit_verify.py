"""``onewindow audit-verify``: check audit rows, gaps, Merkle roots, the checkpoint chain,
signatures and exported checkpoints; exit code 1 naming the first bad row."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.audit import keys
from onewindow.audit.errors import AuditKeyMissing
from onewindow.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志（记录、空缺、默克尔根、检查点链与签名）；发现问题时以退出码 1 结束。"

    def handle(self, *args, **options):
        try:
            result = audit_verify(now=timezone.now())
        except AuditKeyMissing as exc:
            raise CommandError(keys.command_message(exc)) from exc
        if result.ok:
            self.stdout.write(f"OK 已校验 {result.checked} 条：{result.reason}")
            return
        self.stderr.write(
            f"BROKEN 已校验 {result.checked} 条，首个异常记录 #{result.first_broken_id}："
            f"{result.reason}"
        )
        # SystemExit rather than CommandError: the exit code is the contract for cron and
        # monitoring, and call_command lets SystemExit through unchanged.
        raise SystemExit(1)
