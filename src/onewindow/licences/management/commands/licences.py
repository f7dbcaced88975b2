"""``onewindow licences …``: tools around the licence library.

  verify-qr TEXT [--jwks PATH | --jwks-url URL]   offline/online check of a QR code
  rotate-key ORG_CREDIT_CODE [--algorithm Ed25519|SM2]
  jwks [--include-sm2] [--output PATH]            write the JWKS (for offline verifiers)
"""

import json
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.licences import signing
from onewindow.licences.identifiers import InvalidIdentifier, parse_identifier


class Command(BaseCommand):
    help = (
        "电子证照工具：verify-qr（离线核验二维码）、rotate-key（轮换签章密钥）、"
        "jwks（导出公钥）。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-qr", help="核验证照二维码（可离线）")
        verify.add_argument("text", help="二维码内容（核验链接）")
        verify.add_argument("--jwks", dest="jwks_path", help="缓存的 JWKS 文件（离线）")
        verify.add_argument("--jwks-url", help="在线获取 JWKS 的地址")
        rotate = sub.add_parser("rotate-key", help="为机构生成新签章密钥，旧密钥停用但保留")
        rotate.add_argument("credit_code")
        rotate.add_argument("--algorithm", choices=["Ed25519", "SM2"], default=None)
        export = sub.add_parser("jwks", help="输出公钥集 JWKS")
        export.add_argument("--include-sm2", action="store_true")
        export.add_argument("--output", help="写入文件（默认标准输出）")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "verify-qr":
            return self.verify_qr(options)
        if action == "rotate-key":
            return self.rotate_key(options)
        return self.export_jwks(options)

    # --- verify-qr -----------------------------------------------------------------------

    def _load_jwks(self, options) -> dict:
        if options.get("jwks_path"):
            try:
                with open(options["jwks_path"], encoding="utf-8") as handle:
                    return json.load(handle)
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取 JWKS 文件：{exc}") from exc
        url = options.get("jwks_url") or getattr(settings, "ONEWINDOW_LICENCES_JWKS_URL", "")
        if not url:
            raise CommandError("请用 --jwks 指定缓存的 JWKS 文件，或用 --jwks-url 指定地址。")
        if not url.startswith(("http://", "https://")):
            raise CommandError("JWKS 地址须为 http(s)。")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - checked
                return json.load(response)
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法获取 JWKS：{exc}") from exc

    def verify_qr(self, options):
        result = {"outcome": "malformed", "identifier": "", "kid": "", "message": ""}
        try:
            parts = signing.parse_qr_text(options["text"])
            result["identifier"], result["kid"] = parts.identifier, parts.kid
            parse_identifier(parts.identifier)
        except signing.SignatureError:
            result["message"] = "不是电子证照二维码（缺少证照标识或签章参数）。"
        except InvalidIdentifier as exc:
            result["outcome"] = "tampered"
            result["message"] = str(exc.message)
        else:
            outcome, message = signing.verify_qr(parts, self._load_jwks(options))
            result.update(outcome=outcome, message=message)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if result["outcome"] != "authentic":
            self.stdout.flush()
            raise SystemExit(1)

    # --- keys ----------------------------------------------------------------------------

    def rotate_key(self, options):
        from onewindow.identity.models import Organisation
        from onewindow.licences.services import signing_key_rotate

        organisation = Organisation.objects.filter(credit_code=options["credit_code"]).first()
        if organisation is None:
            raise CommandError(f"没有统一社会信用代码为 {options['credit_code']} 的机构。")
        try:
            key = signing_key_rotate(actor=None, organisation=organisation,
                                     algorithm=options["algorithm"], now=timezone.now())
        except signing.SignatureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{organisation.name} 的新签章密钥：{key.kid}（{key.algorithm}）")

    def export_jwks(self, options):
        from onewindow.licences.selectors import jwks

        text = json.dumps(jwks(include_sm2=options["include_sm2"]), ensure_ascii=False, indent=2)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)
