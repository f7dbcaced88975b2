"""Keys, the canonical form, the seal, VC-JWT and the QR signature. Pure crypto: no
database, so the offline ``verify-qr`` command and third parties can use it as is.

Canonical form (版本 1), so anyone can rebuild the bytes that were sealed:
  1. a JSON object whose keys are the GB/T 36903 element names (证照名称, 证照类型代码,
     证照编号, 证照标识, 颁发机构, 颁发机构代码, 颁发日期, 持证主体, 持证主体代码,
     持证主体代码类型, 有效期起始日期, 有效期截止日期) plus 照面信息 (an object with the
     type-specific fields);
  2. values are strings, integers, booleans or null: dates as YYYY-MM-DD, 长期有效 as null;
     no floating-point numbers (they have no single text form);
  3. serialised with keys sorted by Unicode code point at every level, no whitespace
     (separators "," and ":"), non-ASCII characters written as themselves, UTF-8 encoded.
  For these inputs this is the same as RFC 8785 (JCS).

Seal (电子签章): a JWS (RFC 7515 compact serialisation) by the issuing organisation's key
  protected header  {"alg": <EdDSA|SM2SM3>, "kid": <kid>, "typ": "licence-seal"}
  payload           {"id": <证照标识>, "sha256": base64url(SHA-256(canonical bytes))}
  both written in the canonical JSON rule above. The signature covers no status, so
  revoking a licence does not change its seal, its PDF or its QR code.

QR code: ``<base>/licences/v/<证照标识>?s=<kid>.<sha256>.<signature>`` — the three parts
  of the seal that are not derivable from the identifier. An offline verifier rebuilds
  the JWS from them and checks it against a cached JWKS (``verify_qr``).

Private keys at rest: AES-256-GCM with a key derived by HKDF-SHA256 from
  settings.ONEWINDOW_LICENCES_KEY_SECRET (falls back to SECRET_KEY); the key id and
  organisation code are the associated data, so a sealed key cannot be moved to another
  row. Replace this with an HSM/KMS in a deployment that has one.
"""

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

try:  # SM2/SM3 are optional: the wheel exists for common platforms only.
    import gmssl_pyx
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    gmssl_pyx = None

ED25519 = "Ed25519"
SM2 = "SM2"
JWS_ALG = {ED25519: "EdDSA", SM2: "SM2SM3"}
ALG_FOR_JWS = {value: key for key, value in JWS_ALG.items()}
SEAL_TYP = "licence-seal"
SEALED_KEY_VERSION = b"\x01"

SM2_AVAILABLE = gmssl_pyx is not None


class SignatureError(Exception):
    """A signature, token or key that does not check out (never says which byte)."""


# --- canonical form ----------------------------------------------------------------------


_LEAVES = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    # The usual shapes first, by exact type: a stored payload is a dict of strings, and
    # this runs on every verification.
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        raise TypeError("canonical form has dates, not datetimes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("canonical form has no floating-point numbers")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON bytes of ``value`` (rules in the module docstring)."""
    return json.dumps(
        _plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    if not isinstance(text, str) or any(c in text for c in "=+/ \n"):
        raise SignatureError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise SignatureError("not base64url") from exc


def sha256_b64u(data: bytes) -> str:
    return b64u(hashlib.sha256(data).digest())


# --- keys --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KeyPair:
    algorithm: str
    public_raw: bytes
    private_raw: bytes


def generate_key(algorithm: str = ED25519) -> KeyPair:
    if algorithm == ED25519:
        private = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization as ser

        return KeyPair(
            ED25519,
            private.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw),
            private.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption()),
        )
    if algorithm == SM2:
        public, private = _require_sm2().sm2_key_generate()
        return KeyPair(SM2, public, private)
    raise ValueError(f"unknown signing algorithm {algorithm!r}")


def _require_sm2():
    """The SM2 module, or SignatureError where the optional package is missing."""
    if gmssl_pyx is None:
        raise SignatureError("SM2 needs the optional package gmssl-pyx")
    return gmssl_pyx


def public_jwk_members(algorithm: str, public_raw: bytes) -> dict[str, str]:
    """The required members of the public JWK (RFC 7638 thumbprint input)."""
    if algorithm == ED25519:
        return {"crv": "Ed25519", "kty": "OKP", "x": b64u(public_raw)}
    if algorithm == SM2:
        # Not a registered JOSE curve: such keys are only published in the extended set.
        return {"crv": "SM2", "kty": "EC", "x": b64u(public_raw[:32]), "y": b64u(public_raw[32:])}
    raise ValueError(f"unknown signing algorithm {algorithm!r}")


def make_kid(algorithm: str, public_raw: bytes) -> str:
    """12 characters of the RFC 7638 thumbprint: short enough for the QR code."""
    return sha256_b64u(canonical_bytes(public_jwk_members(algorithm, public_raw)))[:12]


def public_jwk(
    *, algorithm: str, public_raw: bytes, kid: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    jwk = {**public_jwk_members(algorithm, public_raw), "kid": kid, "use": "sig",
           "alg": JWS_ALG[algorithm]}
    jwk.update(extra or {})
    return jwk


def public_raw_from_jwk(jwk: Mapping[str, Any]) -> tuple[str, bytes]:
    """(algorithm, raw public key) of a JWK from a JWKS (ours or a cached copy)."""
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        raw = b64u_decode(jwk.get("x", ""))
        if len(raw) != 32:
            raise SignatureError("bad Ed25519 key")
        return ED25519, raw
    if jwk.get("kty") == "EC" and jwk.get("crv") == "SM2":
        raw = b64u_decode(jwk.get("x", "")) + b64u_decode(jwk.get("y", ""))
        if len(raw) != 64:
            raise SignatureError("bad SM2 key")
        return SM2, raw
    raise SignatureError("unsupported key type")


# --- private keys at rest ----------------------------------------------------------------


@lru_cache(maxsize=4)
def _derived(secret: str, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"onewindow.licences.v1", info=purpose,
    ).derive(secret.encode("utf-8"))


def _secret() -> str:
    from django.conf import settings

    secret = getattr(settings, "ONEWINDOW_LICENCES_KEY_SECRET", "") or settings.SECRET_KEY
    if not secret:
        raise SignatureError("no key-encryption secret configured")
    return secret


def seal_private_key(private_raw: bytes, *, aad: bytes) -> bytes:
    """version byte + 12-byte nonce + AES-256-GCM ciphertext and tag."""
    nonce = os.urandom(12)
    key = AESGCM(_derived(_secret(), b"signing-key-encryption"))
    return SEALED_KEY_VERSION + nonce + key.encrypt(nonce, private_raw, aad)


def open_private_key(sealed: bytes, *, aad: bytes) -> bytes:
    sealed = bytes(sealed)
    if not sealed.startswith(SEALED_KEY_VERSION) or len(sealed) < 30:
        raise SignatureError("sealed key has an unknown format")
    key = AESGCM(_derived(_secret(), b"signing-key-encryption"))
    try:
        return key.decrypt(sealed[1:13], sealed[13:], aad)
    except Exception as exc:  # InvalidTag: wrong secret or a moved/changed row
        raise SignatureError("sealed key cannot be opened") from exc


def holder_subject(code_type: str, code: str) -> str:
    """A stable pseudonym for a holder (the VC's ``sub``): HMAC with a server secret, so
    it cannot be reversed by trying every ID number."""
    mac = hmac.new(_derived(_secret(), b"holder-subject"), f"{code_type}:{code}".encode(),
                   hashlib.sha256)
    return "urn:onewindow:holder:" + mac.hexdigest()[:32]


# --- signing and verifying ---------------------------------------------------------------


class Signer:
    """A private key in memory, for one algorithm."""

    def __init__(self, *, algorithm: str, kid: str, private_raw: bytes, public_raw: bytes):
        self.algorithm = algorithm
        self.kid = kid
        self.public_raw = public_raw
        if algorithm == ED25519:
            self._key = Ed25519PrivateKey.from_private_bytes(private_raw)
        elif algorithm == SM2:
            _require_sm2()
            self._key = private_raw
        else:
            raise ValueError(f"unknown signing algorithm {algorithm!r}")

    @property
    def jws_alg(self) -> str:
        return JWS_ALG[self.algorithm]

    def sign(self, data: bytes) -> bytes:
        """A raw JOSE signature: 64 bytes (Ed25519; SM2 as r‖s like ES256)."""
        if isinstance(self._key, Ed25519PrivateKey):  # algorithm ED25519
            return self._key.sign(data)
        der = _require_sm2().sm2_sign(self._key, self.public_raw, data)
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def joserfc_key(self):
        from joserfc.jwk import OKPKey

        if self.algorithm != ED25519:
            raise SignatureError("only Ed25519 keys go through joserfc")
        return OKPKey.import_key(self._key, {"kid": self.kid})


@lru_cache(maxsize=4096)
def _ed25519_public(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_raw(*, algorithm: str, public_raw: bytes, data: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    if algorithm == ED25519:
        try:
            _ed25519_public(bytes(public_raw)).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True
    if algorithm == SM2:
        sm2 = _require_sm2()
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            return bool(sm2.sm2_verify(bytes(public_raw), data, der))
        except sm2.GmsslInnerError:
            return False
    return False


# --- the seal ----------------------------------------------------------------------------


def seal_header(algorithm: str, kid: str) -> dict[str, str]:
    return {"alg": JWS_ALG[algorithm], "kid": kid, "typ": SEAL_TYP}


def seal_statement(identifier: str, payload_sha256: str) -> dict[str, str]:
    return {"id": identifier, "sha256": payload_sha256}


@lru_cache(maxsize=4096)
def _seal_header_b64u(algorithm: str, kid: str) -> str:
    """The first part of every seal of one key (a key seals many licences)."""
    return b64u(canonical_bytes(seal_header(algorithm, kid)))


def seal_signing_input(*, algorithm: str, kid: str, identifier: str, payload_sha256: str) -> bytes:
    header = _seal_header_b64u(algorithm, kid)
    payload = b64u(canonical_bytes(seal_statement(identifier, payload_sha256)))
    return f"{header}.{payload}".encode("ascii")


def seal_sign(signer: Signer, *, identifier: str, payload_sha256: str) -> str:
    """The seal's signature, base64url (the rest of the JWS is derivable)."""
    data = seal_signing_input(
        algorithm=signer.algorithm, kid=signer.kid, identifier=identifier,
        payload_sha256=payload_sha256,
    )
    return b64u(signer.sign(data))


def seal_verify(
    *, algorithm: str, public_raw: bytes, kid: str, identifier: str, payload_sha256: str,
    signature: str,
) -> bool:
    try:
        raw = b64u_decode(signature)
    except SignatureError:
        return False
    data = seal_signing_input(
        algorithm=algorithm, kid=kid, identifier=identifier, payload_sha256=payload_sha256
    )
    return verify_raw(algorithm=algorithm, public_raw=public_raw, data=data, signature=raw)


def seal_jws(*, algorithm: str, kid: str, identifier: str, payload_sha256: str,
             signature: str) -> str:
    """The full compact JWS of a seal, verifiable by any JOSE library with the JWKS."""
    data = seal_signing_input(
        algorithm=algorithm, kid=kid, identifier=identifier, payload_sha256=payload_sha256
    )
    return f"{data.decode('ascii')}.{signature}"


# --- the QR code -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QrParts:
    identifier: str
    kid: str
    payload_sha256: str
    signature: str


def qr_param(*, kid: str, payload_sha256: str, signature: str) -> str:
    return f"{kid}.{payload_sha256}.{signature}"


def parse_qr_param(identifier: str, param: str) -> QrParts:
    parts = (param or "").strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise SignatureError("QR signature has the wrong shape")
    return QrParts(identifier=identifier, kid=parts[0], payload_sha256=parts[1],
                   signature=parts[2])


def parse_qr_text(text: str) -> QrParts:
    """Identifier and signature from a QR code's text (a URL ``…/licences/v/<id>?s=…``)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    url = urlsplit((text or "").strip())
    path = unquote(url.path).rstrip("/")
    identifier = path.rsplit("/", 1)[-1]
    param = parse_qs(url.query).get("s", [""])[0]
    if not identifier or not param:
        raise SignatureError("not a licence QR code")
    return parse_qr_param(identifier, param)


def find_jwk(jwks: Mapping[str, Any], kid: str) -> Mapping[str, Any] | None:
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, Mapping) and jwk.get("kid") == kid:
            return jwk
    return None


def verify_qr(parts: QrParts, jwks: Mapping[str, Any]) -> tuple[str, str]:
    """Offline check of a printed licence's QR code: (outcome, message).

    outcome is "authentic", "tampered" or "unknown-key". Status (revoked, expired) needs
    the online check: the QR signature deliberately covers no status.
    """
    jwk = find_jwk(jwks, parts.kid)
    if jwk is None:
        return "unknown-key", f"密钥 {parts.kid} 不在公钥集中：请更新缓存的 JWKS 后重试。"
    try:
        algorithm, public_raw = public_raw_from_jwk(jwk)
    except SignatureError:
        return "unknown-key", f"密钥 {parts.kid} 的类型无法识别。"
    from .identifiers import InvalidIdentifier, parse_identifier

    try:
        issuer_code = parse_identifier(parts.identifier).issuer_code
    except InvalidIdentifier:
        return "tampered", "证照标识格式或校验位不正确。"
    org = jwk.get("org")
    if org and org != issuer_code:
        return "tampered", "签名密钥不属于证照标识中的颁发机构。"
    ok = seal_verify(
        algorithm=algorithm, public_raw=public_raw, kid=parts.kid, identifier=parts.identifier,
        payload_sha256=parts.payload_sha256, signature=parts.signature,
    )
    if not ok:
        return "tampered", "签名校验未通过：二维码内容被改动或不是本平台签发。"
    return "authentic", "签名有效：证照标识由该颁发机构签发。状态（注销、过期）须联网核验。"


# --- VC-JWT ------------------------------------------------------------------------------


def jwt_encode(signer: Signer, *, header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    """A compact JWS of ``claims``: through joserfc for Ed25519, by hand for SM2."""
    header = {**header, "alg": signer.jws_alg, "kid": signer.kid}
    if signer.algorithm == ED25519:
        from joserfc import jwt
        from joserfc.errors import SecurityWarning

        with warnings.catch_warnings():
            # RFC 9864 prefers the fully specified "Ed25519"; "EdDSA" is what every JOSE
            # library in the field can verify today.
            warnings.simplefilter("ignore", SecurityWarning)
            return jwt.encode(dict(header), dict(claims), signer.joserfc_key(),
                              algorithms=[signer.jws_alg])
    head = b64u(json.dumps(header, separators=(",", ":")).encode())
    body = b64u(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
    signature = signer.sign(f"{head}.{body}".encode("ascii"))
    return f"{head}.{body}.{b64u(signature)}"


@dataclasses.dataclass(frozen=True)
class DecodedJws:
    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes


def jws_split(token: str) -> DecodedJws:
    """Parse a compact JWS without verifying it (raises SignatureError if malformed)."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3:
        raise SignatureError("not a compact JWS")
    try:
        header = json.loads(b64u_decode(parts[0]))
        claims = json.loads(b64u_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureError("JWS parts are not JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SignatureError("JWS parts are not JSON objects")
    return DecodedJws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"),
                      b64u_decode(parts[2]))
