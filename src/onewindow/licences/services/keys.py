"""Issuing organisations' signing keys: creation, rotation, opening, sealing."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.events.services import publish
from onewindow.identity.models import Organisation

from .. import events, permissions, signing
from ..errors import (
    IssuerNotAllowed,
    SigningUnavailable,
)
from ..models import (
    Licence,
    SigningKey,
)
from .common import LicencePermissionDenied

# --- signing keys ------------------------------------------------------------------------

_SIGNERS: dict[str, signing.Signer] = {}


def _key_aad(key: SigningKey, organisation_code: str) -> bytes:
    return f"{key.kid}|{organisation_code}".encode()


def signer_for(key: SigningKey) -> signing.Signer:
    """The private key of ``key`` in memory (opened once per process)."""
    signer = _SIGNERS.get(key.kid)
    if signer is None:
        organisation_code = Organisation.objects.values_list("credit_code", flat=True).get(
            pk=key.organisation_id
        )
        try:
            private_raw = signing.open_private_key(
                key.private_key_sealed, aad=_key_aad(key, organisation_code)
            )
            signer = signing.Signer(
                algorithm=key.algorithm, kid=key.kid, private_raw=private_raw,
                public_raw=bytes(key.public_key),
            )
        except signing.SignatureError as exc:
            raise SigningUnavailable(_("签章密钥无法使用，请联系系统管理员。")) from exc
        _SIGNERS[key.kid] = signer
    return signer


def _default_algorithm() -> str:
    from django.conf import settings

    return getattr(settings, "ONEWINDOW_LICENCES_KEY_ALGORITHM", SigningKey.Algorithm.ED25519)


def _create_key(*, organisation: Organisation, algorithm: str, now: dt.datetime) -> SigningKey:
    if not organisation.credit_code:
        raise IssuerNotAllowed(_("颁发机构缺少统一社会信用代码，无法生成签章密钥。"))
    try:
        pair = signing.generate_key(algorithm)
    except signing.SignatureError as exc:
        raise SigningUnavailable(_("国密 SM2 需要安装 gmssl-pyx。")) from exc
    key = SigningKey(
        organisation=organisation, kid=signing.make_kid(algorithm, pair.public_raw),
        algorithm=algorithm, public_key=pair.public_raw, created_at=now,
    )
    key.private_key_sealed = signing.seal_private_key(
        pair.private_raw, aad=_key_aad(key, organisation.credit_code)
    )
    key.save()
    return key


def signing_key_active(*, organisation: Organisation, now: dt.datetime) -> SigningKey:
    """The organisation's active key; the first one is made on first use (audited)."""
    key = SigningKey.objects.filter(organisation=organisation, retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        key = SigningKey.objects.filter(organisation=organisation, retired_at__isnull=True).first()
        if key is None:
            key = _create_key(organisation=organisation, algorithm=_default_algorithm(), now=now)
            audit_record(
                actor=None, action="licences.key.created", subject_type="licences.key",
                subject_id=key.kid,
                after={"organisation": organisation.credit_code, "algorithm": key.algorithm},
                now=now,
            )
    return key


@transaction.atomic(durable=True)
def signing_key_rotate(
    *, actor: Actor | None, organisation: Organisation, algorithm: str | None = None,
    now: dt.datetime,
) -> SigningKey:
    """Make a new active key; the old one is retired but stays published and usable for
    verification (licences keep pointing at it)."""
    if actor is not None and not permissions.can_manage_keys(
        actor=actor, organisation=organisation
    ):
        raise LicencePermissionDenied(_("无权轮换该机构的签章密钥。"))
    algorithm = algorithm or _default_algorithm()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    old = SigningKey.objects.filter(organisation=organisation, retired_at__isnull=True).first()
    if old is not None:
        old.retired_at = now
        old.save(update_fields=["retired_at"])
    key = _create_key(organisation=organisation, algorithm=algorithm, now=now)
    audit_record(
        actor=actor, action="licences.key.rotated", subject_type="licences.key",
        subject_id=key.kid,
        before={"kid": old.kid} if old else None,
        after={"organisation": organisation.credit_code, "kid": key.kid,
               "algorithm": key.algorithm},
        now=now,
    )
    publish(
        name=events.KEY_ROTATED,
        payload={"organisation_code": organisation.credit_code, "kid": key.kid,
                 "retired_kid": old.kid if old else None},
        aggregate_type="licences.key", aggregate_id=key.kid, now=now,
    )
    return key


def seal_licence(licence: Licence, key: SigningKey) -> None:
    """Set payload digest, key and seal signature of an (unsaved or changed) licence."""
    digest = signing.sha256_b64u(signing.canonical_bytes(licence.canonical_payload()))
    licence.payload_sha256 = digest
    licence.signing_key = key
    licence.seal_signature = signing.seal_sign(
        signer_for(key), identifier=licence.identifier, payload_sha256=digest
    )


