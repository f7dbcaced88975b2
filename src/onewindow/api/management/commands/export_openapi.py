"""``onewindow export-openapi [PATH] [--check]``: write the API's OpenAPI document (sorted,
indented) to PATH, default docs/openapi.json; ``--check`` only compares and exits 1 when
the file differs from what the code serves."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onewindow.api.openapi import COMMITTED_PATH, REGENERATE, openapi_text


class Command(BaseCommand):
    help = "导出接口的 OpenAPI 文档（键排序、缩进），缺省写入 docs/openapi.json。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(COMMITTED_PATH),
                            help="输出文件路径（缺省 docs/openapi.json）")
        parser.add_argument("--check", action="store_true",
                            help="只比较，不写入；文件与代码不一致时以状态 1 退出")

    def handle(self, *args, path, check=False, **options):
        target = Path(path)
        text = openapi_text()
        if check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                raise CommandError(
                    f"{target} 与代码提供的接口文档不一致；请运行 {REGENERATE} 并提交。")
            self.stdout.write(f"{target} 与代码一致。")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {target}")
