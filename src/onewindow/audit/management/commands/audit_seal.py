"""``onewindow audit-seal``: seal committed audit rows into signed checkpoints now (the
workers do it every few seconds; operators, the demo and tests call it directly)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.audit import keys
from onewindow.audit.errors import AuditKeyMissing
from onewindow.audit.services import audit_seal


class Command(BaseCommand):
    help = "把已提交的审计记录封存为签名检查点，并导出检查点文件。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None,
                            help="每个检查点最多封存的记录数")

    def handle(self, *args, batch_size=None, **options):
        try:
            result = audit_seal(now=timezone.now(), size=batch_size)
        except AuditKeyMissing as exc:
            raise CommandError(keys.command_message(exc)) from exc
        if result.busy:
            self.stdout.write("另一个封存任务正在运行。")
        self.stdout.write(
            f"封存 {result.rows} 条，新检查点 {result.checkpoints} 个，登记空缺 {result.gaps} 个；"
            f"未封存记录最久 {result.lag_seconds:.0f} 秒。"
        )
