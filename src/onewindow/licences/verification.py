"""``licence_verify``: answer valid / revoked / expired / tampered / unknown (and
not_yet_valid) for a QR link, an identifier, or a VC-JWT.

A read: nothing is written, so a public page can call it for anyone. "tampered" means a
signature does not check out: the stored licence no longer matches its seal (the
database was changed behind the services' back), or the QR code / VC was altered.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from . import selectors, signing
from .exports import public_view
from .identifiers import InvalidIdentifier, parse_identifier
from .models import Licence

VALID = "valid"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
TAMPERED = "tampered"
UNKNOWN = "unknown"
OUTCOMES = (VALID, REVOKED, EXPIRED, NOT_YET_VALID, TAMPERED, UNKNOWN)

OUTCOME_LABELS = {
    VALID: gettext_noop("有效"),
    REVOKED: gettext_noop("已注销"),
    EXPIRED: gettext_noop("已过期"),
    NOT_YET_VALID: gettext_noop("尚未生效"),
    TAMPERED: gettext_noop("签章校验失败（可能被篡改）"),
    UNKNOWN: gettext_noop("未查到该证照"),
}


@dataclass(frozen=True)
class Verification:
    outcome: str
    message: str
    identifier: str = ""
    licence: Licence | None = None
    # True when the caller proved possession (QR signature or VC): the holder's name and
    # masked code may then be shown.
    disclosed: bool = False
    checks: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def public(self) -> dict:
        return {
            "outcome": self.outcome,
            "label": self.label,
            "message": self.message,
            "identifier": self.identifier,
            "checks": self.checks,
            "licence": public_view(self.licence, disclose_holder=self.disclosed)
            if self.licence is not None and self.outcome != TAMPERED else None,
        }


def seal_ok(licence: Licence) -> bool:
    """Does the stored licence still match its seal? (recomputes the canonical digest)"""
    digest = signing.sha256_b64u(signing.canonical_bytes(licence.canonical_payload()))
    if digest != licence.payload_sha256:
        return False
    key = licence.signing_key
    if key.organisation_id != licence.issuer_id:
        return False
    return signing.seal_verify(
        algorithm=key.algorithm, public_raw=bytes(key.public_key), kid=key.kid,
        identifier=licence.identifier, payload_sha256=digest, signature=licence.seal_signature,
    )


def _state(licence: Licence, on_date: dt.date, checks: dict, disclosed: bool) -> Verification:
    state = licence.state_on(on_date)
    if state == VALID:
        message = gettext("证照有效，签章校验通过。")
    elif state == REVOKED:
        if licence.status == Licence.Status.SUPERSEDED:
            message = gettext("该版本已换发新版本，本版本不再有效。")
        else:
            message = gettext("证照已注销。")
            if licence.status_reason:
                message = gettext("证照已注销：%(reason)s") % {"reason": licence.status_reason}
    elif state == EXPIRED:
        message = gettext("证照已于 %(day)s 到期。") % {"day": f"{licence.valid_until:%Y-%m-%d}"}
    else:
        message = gettext("证照自 %(day)s 起生效。") % {"day": f"{licence.valid_from:%Y-%m-%d}"}
    return Verification(state, message, licence.identifier, licence, disclosed, checks)


def _tampered(identifier: str, checks: dict, message: str = "") -> Verification:
    return Verification(
        TAMPERED, message or gettext("签章校验未通过：证照内容与电子签章不符，可能被篡改。"),
        identifier, None, False, checks,
    )


def _unknown(identifier: str, message: str = "") -> Verification:
    return Verification(UNKNOWN, message or gettext("证照库中没有该证照。"), identifier)


def verify_identifier(*, identifier: str, qr_signature: str = "", now: dt.datetime) -> Verification:
    try:
        normal = str(parse_identifier(identifier))
    except InvalidIdentifier as exc:
        return _unknown(identifier, f"{exc.message}")
    licence = selectors.licence_by_identifier(identifier=normal)
    if licence is None:
        return _unknown(normal)
    checks = {"seal": seal_ok(licence)}
    if not checks["seal"]:
        return _tampered(normal, checks)
    disclosed = False
    if qr_signature:
        try:
            parts = signing.parse_qr_param(normal, qr_signature)
        except signing.SignatureError:
            checks["qr"] = False
        else:
            # The QR carries the seal itself: it must be this licence's seal, byte for byte.
            checks["qr"] = (
                parts.kid == licence.signing_key.kid
                and parts.payload_sha256 == licence.payload_sha256
                and parts.signature == licence.seal_signature
            )
        if not checks["qr"]:
            return _tampered(normal, checks,
                             gettext("二维码中的签章与证照库不符，可能被篡改或伪造。"))
        disclosed = True
    return _state(licence, timezone.localdate(now), checks, disclosed)


def verify_vc(*, token: str, now: dt.datetime) -> Verification:
    try:
        decoded = signing.jws_split(token)
    except signing.SignatureError:
        return _tampered("", {"vc": False}, gettext("无法解析该 VC-JWT：内容不完整或被改动。"))
    identifier = str(decoded.claims.get("jti", ""))
    key = selectors.signing_key_by_kid(kid=str(decoded.header.get("kid", "")))
    if key is None:
        return _unknown(identifier, gettext("签名密钥不是本平台颁发机构的密钥。"))
    ok = decoded.header.get("alg") == signing.JWS_ALG[key.algorithm] and signing.verify_raw(
        algorithm=key.algorithm, public_raw=bytes(key.public_key),
        data=decoded.signing_input, signature=decoded.signature,
    )
    checks = {"vc": ok}
    if not ok:
        return _tampered(identifier, checks,
                         gettext("VC 签名校验未通过：内容被改动或不是本平台签发。"))
    licence = selectors.licence_by_identifier(identifier=identifier)
    if licence is None:
        return _unknown(identifier)
    subject = (decoded.claims.get("vc") or {}).get("credentialSubject") or {}
    payload = subject.get("licence")
    checks["seal"] = seal_ok(licence)
    checks["payload"] = (
        isinstance(payload, dict)
        and signing.sha256_b64u(signing.canonical_bytes(payload)) == licence.payload_sha256
    )
    if key.organisation_id != licence.issuer_id or not checks["seal"] or not checks["payload"]:
        return _tampered(licence.identifier, checks)
    return _state(licence, timezone.localdate(now), checks, True)


def licence_verify(
    *, identifier: str = "", qr_signature: str = "", url: str = "", vc_jwt: str = "",
    now: dt.datetime,
) -> Verification:
    """Verify a licence from whatever the verifier has: the QR code's URL, an identifier
    (optionally with the QR's ``s`` parameter), or a VC-JWT."""
    if vc_jwt:
        return verify_vc(token=vc_jwt, now=now)
    if url:
        try:
            parts = signing.parse_qr_text(url)
        except signing.SignatureError:
            return _unknown("", gettext("无法识别该二维码链接。"))
        return verify_identifier(identifier=parts.identifier,
                                 qr_signature=f"{parts.kid}.{parts.payload_sha256}."
                                              f"{parts.signature}", now=now)
    if identifier:
        return verify_identifier(identifier=identifier, qr_signature=qr_signature, now=now)
    return _unknown("", gettext("请提供证照标识、二维码链接或 VC。"))


# --- 亮证: a short-lived code the holder shows on screen --------------------------------------
#
# The wallet shows a QR code of /licences/show/<code>/: the licence identifier and an expiry
# a few minutes ahead, signed with the server's secret (Django's signing, salted for this
# use). A clerk or inspector who scans it sees the verified summary with the holder's name,
# as after the licence's own QR; a photographed code stops working when it expires. Nothing
# is stored: the signature and the expiry are the whole check.

SHOW_SECONDS = 300
_SHOW_SALT = "onewindow.licences.show"
CODE_EXPIRED = "code_expired"
CODE_INVALID = "code_invalid"
OUTCOME_LABELS[CODE_EXPIRED] = gettext_noop("亮证码已过期")
OUTCOME_LABELS[CODE_INVALID] = gettext_noop("亮证码无效")


@dataclass(frozen=True)
class ShowCode:
    code: str
    expires_at: dt.datetime


def show_code(*, licence: Licence, now: dt.datetime, seconds: int = SHOW_SECONDS) -> ShowCode:
    """A code for the wallet's 亮证 QR, valid ``seconds`` from ``now``."""
    from django.core import signing as django_signing

    expires = int(now.timestamp()) + seconds
    code = django_signing.Signer(salt=_SHOW_SALT).sign(f"{licence.identifier}~{expires}")
    return ShowCode(code=code, expires_at=dt.datetime.fromtimestamp(expires, tz=dt.UTC))


def verify_show_code(*, code: str, now: dt.datetime) -> Verification:
    """What a scanned 亮证 code shows: the licence's verification with the holder disclosed
    (the holder presented it), or ``code_expired`` / ``code_invalid``."""
    from django.core import signing as django_signing

    try:
        value = django_signing.Signer(salt=_SHOW_SALT).unsign(code)
        identifier, expires = value.rsplit("~", 1)
        expires_at = int(expires)
    except (django_signing.BadSignature, ValueError):
        return Verification(CODE_INVALID, gettext("无法识别该亮证码：内容不完整或被改动。"))
    if now.timestamp() > expires_at:
        return Verification(
            CODE_EXPIRED, gettext("亮证码已过期（有效 %(minutes)s 分钟），请持证人刷新后重新出示。")
            % {"minutes": SHOW_SECONDS // 60}, identifier)
    licence = selectors.licence_by_identifier(identifier=identifier)
    if licence is None:
        return _unknown(identifier)
    checks = {"seal": seal_ok(licence), "show_code": True}
    if not checks["seal"]:
        return _tampered(identifier, checks)
    return _state(licence, timezone.localdate(now), checks, True)
