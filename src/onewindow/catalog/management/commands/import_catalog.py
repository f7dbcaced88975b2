"""``onewindow import-catalog --format gdzwfw [PATH]`` and ``--format xlsx PATH``.

Prints a summary (read / created / updated / unchanged / skipped with reasons). Re-running
with the same file changes nothing. Without PATH the gdzwfw format reads the Guangdong
file bundled with the catalog app.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.identity.models import Account


class Command(BaseCommand):
    help = "导入事项目录：广东政务服务网 JSONL（gdzwfw）或本系统导出的 Excel（xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="文件路径（gdzwfw 缺省为内置数据）")
        parser.add_argument("--format", choices=["gdzwfw", "xlsx"], default="gdzwfw")
        parser.add_argument("--actor", help="以该用户名的身份导入（缺省为系统）")
        parser.add_argument("--publish", action="store_true",
                            help="xlsx：变更直接发布为新版本（缺省只保存为草稿）")
        parser.add_argument("--reason", default="", help="xlsx：变更理由")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出汇总")
        parser.add_argument("--quiet-skips", action="store_true", help="不逐条列出跳过的记录")

    def handle(self, *args, path=None, format="gdzwfw", actor=None, publish=False, reason="",
               json=False, quiet_skips=False, **options):
        account = None
        if actor:
            account = Account.objects.filter(username=actor, is_active=True).first()
            if account is None:
                raise CommandError(f"没有用户名为 {actor} 的有效账户。")
        now = timezone.now()
        if format == "gdzwfw":
            from onewindow.catalog.importers.gdzwfw import import_gdzwfw

            try:
                report = import_gdzwfw(path, actor=account, now=now)
            except OSError as exc:
                raise CommandError(f"无法读取文件：{exc}") from exc
            self._print(report.as_dict(), report.lines(), as_json=json, quiet=quiet_skips)
            return
        if not path:
            raise CommandError("xlsx 格式需要文件路径。")
        from onewindow.catalog.importers.excel import excel_import

        try:
            with open(path, "rb") as handle:
                result = excel_import(handle, actor=account, publish=publish,
                                      reason=reason or "Excel 导入", now=now)
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        self._print(result.as_dict(), result.lines(), as_json=json, quiet=quiet_skips)
        if result.errors:
            raise CommandError("Excel 文件有错误，未写入任何内容。")

    def _print(self, summary, lines, *, as_json, quiet):
        if as_json:
            self.stdout.write(json_dumps(summary))
            return
        for index, line in enumerate(lines):
            if quiet and index >= 2 and line.startswith("  "):
                continue
            self.stdout.write(line)


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
