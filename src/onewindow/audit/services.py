"""Writing the audit log and checking its hash chain.

``audit_record`` is called by every writing service inside its own transaction, so the
audit row commits or rolls back together with the change it describes.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.common.request_context import get_request_id

from .chain import compute_hash, content_of, normalize_json
from .errors import AuditChainHeadMissing
from .models import GENESIS_HASH, AuditChainHead, AuditEvent

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


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # The data migration creates the head; it is only missing after a flush (tests) or
    # tampering. An empty table may start a new chain, a non-empty one may not.
    if AuditEvent.objects.exists():
        raise AuditChainHeadMissing(_("审计链头缺失，审计表可能被篡改，请立即核查。"))
    AuditChainHead.objects.get_or_create(pk=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def audit_record(
    *,
    actor,
    action: str,
    subject_type: str,
    subject_id: str,
    before: dict | None = None,
    after: dict | None = None,
    now: dt.datetime,
) -> AuditEvent:
    """Append one row to the audit chain, inside the caller's transaction.

    ``actor`` is an account, or None for the system itself. ``before``/``after`` must be
    JSON-serialisable (dates, decimals and UUIDs are turned into strings).
    """
    if not action or not subject_type:
        raise ValueError("audit_record needs an action and a subject_type")
    if timezone.is_naive(now):
        raise ValueError("audit_record needs an aware datetime for now")
    account, label = _actor_fields(actor)
    # Not durable: the whole point is to join the caller's transaction.
    with transaction.atomic():
        head = _locked_head()
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
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(content_of(event), event.prev_hash)
        event.save()
        head.last_id = event.pk
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_id", "last_hash", "count"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str


def audit_verify() -> VerifyResult:
    """Recompute every hash and link of the chain, oldest first.

    Finds a changed row (its hash no longer matches its content), a removed row in the
    middle (the next row's prev_hash points at nothing) and a removed last row (the head
    still counts it). The head is read first and only rows up to its last_id are
    checked, so rows appended while verifying do not look like damage.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        first = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
        if first is None:
            return VerifyResult(ok=True, checked=0, first_broken_id=None, reason="审计链为空。")
        return VerifyResult(
            ok=False, checked=0, first_broken_id=first, reason="审计链头缺失。"
        )

    checked = 0
    expected_prev = GENESIS_HASH
    last_id = None
    rows = AuditEvent.objects.order_by("id")
    if head.last_id is not None:
        rows = rows.filter(id__lte=head.last_id)
    for event in rows.iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return VerifyResult(
                ok=False, checked=checked, first_broken_id=event.pk,
                reason=f"记录 #{event.pk} 的前序哈希与上一条不符，其前面的记录可能被删除。",
            )
        if compute_hash(content_of(event), event.prev_hash) != event.hash:
            return VerifyResult(
                ok=False, checked=checked, first_broken_id=event.pk,
                reason=f"记录 #{event.pk} 的内容与其哈希不符，记录可能被篡改。",
            )
        checked += 1
        expected_prev = event.hash
        last_id = event.pk

    if checked != head.count or last_id != head.last_id or expected_prev != head.last_hash:
        return VerifyResult(
            ok=False, checked=checked, first_broken_id=head.last_id or last_id,
            reason=(
                f"链头记载 {head.count} 条、末条 #{head.last_id}，实际 {checked} 条、"
                f"末条 #{last_id}，末尾记录可能被删除。"
            ),
        )
    return VerifyResult(
        ok=True, checked=checked, first_broken_id=None, reason=f"审计链完整，共 {checked} 条。"
    )
