"""``onewindow audit-verify``: check the audit hash chain; exit code 1 when it is broken."""

from django.core.management.base import BaseCommand

from onewindow.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链；链条断裂时以退出码 1 结束。"

    def handle(self, *args, **options):
        result = audit_verify()
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
