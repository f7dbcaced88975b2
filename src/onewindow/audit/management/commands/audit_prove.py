"""``onewindow audit-prove ROW_ID``: print the row's inclusion proof as JSON (format in
onewindow/audit/proofs.py and docs/decisions/0027)."""

import json

from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.errors import AuditRowNotSealed
from onewindow.audit.services import audit_prove


class Command(BaseCommand):
    help = "输出一条审计记录的包含证明（JSON），外部审计者只凭公钥即可核验。"

    def add_arguments(self, parser):
        parser.add_argument("row_id", type=int)

    def handle(self, *args, row_id, **options):
        try:
            proof = audit_prove(row_id)
        except AuditRowNotSealed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))
