"""``onewindow export_catalog PATH.xlsx [--organisation ID | CREDIT_CODE]``: the catalog
(or one department's part of it) as an editable Excel workbook."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.common.ids import is_digits
from onewindow.identity.models import Account, Organisation


class Command(BaseCommand):
    help = "导出事项目录为 Excel（可编辑后用 import-catalog --format xlsx 导回）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件路径（.xlsx）")
        parser.add_argument("--format", choices=["xlsx"], default="xlsx")
        parser.add_argument("--organisation", help="只导出该机构（编号或统一社会信用代码）及其下级")
        parser.add_argument("--actor", help="按该用户的管理范围导出（缺省为全部）")

    def handle(self, *args, path, organisation=None, actor=None, **options):
        from onewindow.catalog.importers.excel import excel_export

        org = None
        if organisation:
            lookup = {"pk": int(organisation)} if is_digits(organisation) else {
                "credit_code": organisation.upper()}
            org = Organisation.objects.filter(**lookup).first()
            if org is None:
                raise CommandError(f"没有找到机构 {organisation}。")
        account = None
        if actor:
            account = Account.objects.filter(username=actor, is_active=True).first()
            if account is None:
                raise CommandError(f"没有用户名为 {actor} 的有效账户。")
        with open(path, "wb") as handle:
            count = excel_export(handle, actor=account, organisation=org)
        self.stdout.write(f"已导出 {count} 个事项到 {path}")
