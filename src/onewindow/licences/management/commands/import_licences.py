"""``onewindow import-licences PATH``: load stock licences from CSV or JSONL.

Streams the file in batches; re-running with the same file changes nothing. Row errors
go to ``--report`` (JSONL, one object per failed row) and the first ones to stderr; the
exit code is 1 when any row failed.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.identity.models import Account
from onewindow.licences.importing import licences_import, read_rows

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "导入存量电子证照（CSV 或 JSONL，按证照标识幂等）；有失败行时退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV（含表头）或 JSONL 文件")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="默认按扩展名判断")
        parser.add_argument("--report", help="把失败行写入此 JSONL 文件")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--actor", help="记入审计日志的工作人员用户名（默认 system）")

    def handle(self, *args, **options):
        actor = None
        if options["actor"]:
            actor = Account.objects.filter(username=options["actor"], kind="STAFF").first()
            if actor is None:
                raise CommandError(f"没有工作人员账户 {options['actor']}。")
        shown = 0
        report_file = open(options["report"], "w", encoding="utf-8") if options["report"] else None  # noqa: SIM115

        def on_error(error):
            nonlocal shown
            if report_file:
                report_file.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
            if shown < SHOWN_ERRORS:
                self.stderr.write(f"第 {error.line} 行 [{error.code}] {error.message}")
                shown += 1

        def on_batch(report):
            if options["verbosity"] >= 2:
                self.stdout.write(f"… 已读取 {report.read} 行")

        try:
            report = licences_import(
                actor=actor, rows=read_rows(options["path"], options["format"]),
                now=timezone.now(), batch_size=max(1, options["batch_size"]),
                on_error=on_error, on_batch=on_batch,
            )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件 {options['path']}。") from exc
        finally:
            if report_file:
                report_file.close()
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        self.stdout.write(
            f"读取 {report.read} 行：新增 {report.created}，未变 {report.unchanged}，"
            f"失败 {report.failed}，用时 {report.seconds:.1f} 秒。"
        )
        if report.failed:
            if shown < report.failed and not report_file:
                self.stderr.write("失败行较多，使用 --report FILE 获取完整清单。")
            raise SystemExit(1)
