"""``onewindow audit-public-key``: print the checkpoint signing key's public half (PEM)
and its key id, for auditors who check inclusion proofs."""

from django.core.management.base import BaseCommand

from onewindow.audit import keys


class Command(BaseCommand):
    help = "输出审计检查点签名公钥（PEM）及其标识。"

    def handle(self, *args, **options):
        public = keys.public_key()
        self.stdout.write(f"# key_id {keys.key_id(public)}")
        self.stdout.write(keys.public_pem(public).rstrip("\n"))
