"""``onewindow audit-public-key``: print the checkpoint signing key's public half (PEM)
and its key id, for auditors who check inclusion proofs."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.audit import keys
from onewindow.audit.errors import AuditKeyMissing


class Command(BaseCommand):
    help = "输出审计检查点签名公钥（PEM）及其标识。"

    def handle(self, *args, **options):
        try:
            public = keys.public_key()
        except AuditKeyMissing as exc:
            raise CommandError(keys.command_message(exc)) from exc
        self.stdout.write(f"# key_id {keys.key_id(public)}")
        self.stdout.write(keys.public_pem(public).rstrip("\n"))
