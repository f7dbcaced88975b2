"""Writing, sealing, verifying and proving the audit log (docs/decisions/0027).

``audit_record`` is called by every writing service inside its own transaction, so the
audit row commits or rolls back together with the change it describes. It takes no shared
lock: the row carries its own payload hash, and the sealer (``audit_seal``, one at a time)
later links committed rows into signed checkpoints. ``audit_verify`` checks all of it;
``audit_prove`` gives an outside auditor one row's inclusion proof.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from onewindow.common.actors import Actor
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.common.request_context import get_request_id

from .chain import content_of, normalize_json, payload_hash
from .models import AuditEvent
from .proofs import audit_prove
from .sealing import SealResult, audit_seal, unsealed_lag
from .verification import VerifyResult, audit_verify

__all__ = [
    "SealResult", "VerifyResult", "audit_prove", "audit_record", "audit_seal", "audit_verify",
    "redact", "unsealed_lag",
]

SYSTEM_LABEL = "system"
ANONYMOUS_LABEL = "anonymous"

# Keys masked in every before/after, whatever the caller did: an ID number must never
# reach the audit table in clear. Masking is idempotent, so already masked values pass.
ALWAYS_MASKED = ("id_number",)

_PHONE_KEYS = ("phone", "mobile")


def redact(data: Any, fields: Iterable[str]) -> Any:
    """Return a copy of ``data`` with the values under ``fields`` masked, at any depth.

    Keys that name a phone ("phone", "mobile", "contact_phone" …) keep 3 + 4 digits;
    every other listed key (id_number, credit codes of persons …) keeps 4 + 4 characters.
    """
    names = frozenset(fields)
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if key in names and isinstance(value, str | int):
                result[key] = _mask(key, str(value))
            else:
                result[key] = redact(value, names)
        return result
    if isinstance(data, list | tuple):
        return [redact(item, names) for item in data]
    return data


def _mask(key: str, value: str) -> str:
    if any(part in key.lower() for part in _PHONE_KEYS):
        return mask_phone(value)
    return mask_id_number(value)


def _actor_fields(actor) -> tuple[Any, str]:
    if actor is None:
        return None, SYSTEM_LABEL
    if not getattr(actor, "is_authenticated", False) or actor.pk is None:
        return None, ANONYMOUS_LABEL
    return actor, actor.get_username()


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    subject_type: str,
    subject_id: str,
    before: dict | None = None,
    after: dict | None = None,
    now: dt.datetime,
) -> AuditEvent:
    """Append one row to the audit chain, inside the caller's transaction.

    ``actor`` is who acted (a visitor is recorded as anonymous), or None for the system
    itself. ``before``/``after`` must be
    JSON-serialisable (dates, decimals and UUIDs are turned into strings).
    """
    if not action or not subject_type:
        raise ValueError("audit_record needs an action and a subject_type")
    if timezone.is_naive(now):
        raise ValueError("audit_record needs an aware datetime for now")
    account, label = _actor_fields(actor)
    event = AuditEvent(
        occurred_at=now,
        actor=account,
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=normalize_json(redact(before, ALWAYS_MASKED)),
        after=normalize_json(redact(after, ALWAYS_MASKED)),
        request_id=get_request_id(),
    )
    event.payload_hash = payload_hash(content_of(event))
    # A plain INSERT: the id comes from the table's sequence, no row is locked, so
    # audited writes of different transactions never wait for each other.
    event.save()
    return event
