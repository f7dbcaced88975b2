"""The Ed25519 key that signs audit checkpoints: a PEM file named in the settings, kept
outside the database (docs/decisions/0027).

``ONEWINDOW_AUDIT_SIGNING_KEY_FILE`` holds the private key (PKCS#8 PEM, mode 0600). A
development machine or the demo creates it on first use (``ONEWINDOW_AUDIT_CREATE_KEY``);
production sets that off and provisions the file (or mounts it from a secret store).
A host that only verifies may name ``ONEWINDOW_AUDIT_PUBLIC_KEY_FILE`` instead; auditors
get the public key from ``onewindow audit-public-key``.
"""

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import AuditKeyMissing


def _private_path() -> Path:
    return Path(settings.ONEWINDOW_AUDIT_SIGNING_KEY_FILE)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: two processes creating the key at once keep the first one's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _may_create() -> bool:
    return bool(getattr(settings, "ONEWINDOW_AUDIT_CREATE_KEY", False))


def signing_key() -> Ed25519PrivateKey:
    path = _private_path()
    if not path.exists():
        if not _may_create():
            raise AuditKeyMissing(_("审计签名密钥文件不存在：%(path)s") % {"path": path})
        _create(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise AuditKeyMissing(_("审计签名密钥文件无法读取：%(path)s（%(error)s）") % {
            "path": path, "error": exc.strerror or exc}) from exc
    except (ValueError, TypeError) as exc:  # not PEM, or protected by a password
        raise AuditKeyMissing(
            _("审计签名密钥文件不是无密码的 PEM 私钥：%(path)s") % {"path": path}) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyMissing(_("审计签名密钥不是 Ed25519 私钥：%(path)s") % {"path": path})
    return key


def public_key() -> Ed25519PublicKey:
    """The key checkpoints are verified with: the public key file if one is named, else
    the public half of the signing key."""
    named = getattr(settings, "ONEWINDOW_AUDIT_PUBLIC_KEY_FILE", "")
    if named:
        try:
            key = serialization.load_pem_public_key(Path(named).read_bytes())
        except (OSError, ValueError) as exc:
            raise AuditKeyMissing(
                _("审计公钥文件无法读取或不是 PEM 公钥：%(named)s") % {"named": named}) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise AuditKeyMissing(_("审计公钥不是 Ed25519 公钥：%(named)s") % {"named": named})
        return key
    return signing_key().public_key()


def signing_key_problem() -> str | None:
    """Why checkpoints could not be signed on this host, in a sentence for an operator, or
    None. Reads the key but never creates it (a start-up check must not write)."""
    path = _private_path()
    if path.exists():
        try:
            signing_key()
        except AuditKeyMissing as exc:
            return str(exc.message)
        return None
    if not _may_create():
        return (f"The audit signing key file {path} does not exist and "
                "ONEWINDOW_AUDIT_CREATE_KEY is off.")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return (f"The audit signing key file {path} does not exist and cannot be created: "
                f"{ancestor} is not writable.")
    return None


def command_message(exc: AuditKeyMissing) -> str:
    """What an audit command says when the key is the trouble, instead of a traceback."""
    return (f"{exc.message}。检查点无法签名或核验：请把 Ed25519 私钥（PKCS#8 PEM）放在 "
            "ONEWINDOW_AUDIT_SIGNING_KEY_FILE 指定的位置（只核验的主机可用 "
            "ONEWINDOW_AUDIT_PUBLIC_KEY_FILE 指定公钥）；开发机可设 "
            "ONEWINDOW_AUDIT_CREATE_KEY=1 自动生成。")


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]
