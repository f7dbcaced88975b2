"""``audit_verify``: check rows, gaps, Merkle roots, the checkpoint chain, signatures and
the exported checkpoint files, and name the first bad row (docs/decisions/0027).

What each kind of tampering looks like:
- a row's content edited: it no longer matches its payload hash;
- a row deleted: an id its checkpoint sealed is missing;
- a row inserted or committed late into a declared gap: an id the checkpoint says never
  committed is there;
- rows reordered, or edited and re-hashed with the public hash function (payload hash,
  Merkle root, checkpoint hashes all recomputed): the checkpoint's root or hash no longer
  matches its signature, which needs the private key outside the database; the exported
  file (which lists every sealed row's payload hash) then names the first row that
  differs;
- checkpoints deleted from the end: the next one's exported file is still there.
Rows not yet sealed are checked against their payload hash; one unsealed for longer than
``ONEWINDOW_AUDIT_LAG_ALERT_SECONDS`` is reported too (the sealer is not running).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone

from . import keys, merkle
from .chain import canonical_json, content_of, leaf_hash, payload_hash
from .models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from .sealing import checkpoint_storage, file_name, gap_ids, statement_hash, statement_of


def lag_alert_seconds() -> float:
    return float(getattr(settings, "ONEWINDOW_AUDIT_LAG_ALERT_SECONDS", 300))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # rows whose content was checked (before the first bad one)
    first_broken_id: int | None
    reason: str
    checkpoints: int = 0
    unsealed: int = 0


class _Broken(Exception):
    def __init__(self, row_id: int | None, reason: str):
        super().__init__(reason)
        self.row_id = row_id
        self.reason = reason


class _Walk:
    """Counts what has been checked so far."""

    def __init__(self):
        self.rows = 0
        self.checkpoints = 0
        self.unsealed = 0


def _row_ok(row: AuditEvent) -> None:
    if payload_hash(content_of(row)) != row.payload_hash:
        raise _Broken(row.id, f"记录 #{row.id} 的内容与其哈希不符，记录可能被篡改。")


def _read_export(storage: Storage, seq: int) -> dict | None:
    name = file_name(seq)
    if not storage.exists(name):
        return None
    try:
        with storage.open(name, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise _Broken(None, f"检查点 {seq} 的导出文件无法读取：{exc}") from exc


def _signature_ok(public: Ed25519PublicKey, checkpoint: AuditCheckpoint,
                  statement: dict) -> bool:
    if checkpoint.key_id != keys.key_id(public):
        return False
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True),
                      canonical_json(statement))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _expected_ids(checkpoint: AuditCheckpoint) -> Iterator[int]:
    gaps = gap_ids(checkpoint.gaps)
    return (i for i in range(checkpoint.first_id, checkpoint.last_id + 1) if i not in gaps)


def _rows_of(checkpoint: AuditCheckpoint, walk: _Walk) -> list[tuple[int, str]]:
    """The checkpoint's rows, each matching its hash, exactly the ids it sealed."""
    gaps = gap_ids(checkpoint.gaps)
    expected = _expected_ids(checkpoint)
    leaves: list[tuple[int, str]] = []
    rows = AuditEvent.objects.filter(id__gte=checkpoint.first_id, id__lte=checkpoint.last_id)
    for row in rows.order_by("id").iterator(chunk_size=2000):
        if row.id in gaps:
            raise _Broken(row.id, (
                f"记录 #{row.id} 在检查点 {checkpoint.seq} 中登记为空缺（其事务未提交），"
                "却出现在表中：它在封存后才提交，或被插入。"))
        want = next(expected, None)
        if want is not None and want < row.id:
            raise _Broken(want, f"记录 #{want} 缺失：检查点 {checkpoint.seq} 封存过它，"
                                "它可能被删除。")
        _row_ok(row)
        leaves.append((row.id, row.payload_hash))
        walk.rows += 1
    missing = next(expected, None)
    if missing is not None:
        raise _Broken(missing, f"记录 #{missing} 缺失：检查点 {checkpoint.seq} 封存过它，"
                               "它可能被删除。")
    return leaves


def _locate(checkpoint: AuditCheckpoint, leaves: list[tuple[int, str]],
            exported: dict | None, reason: str) -> _Broken:
    """Name the first row that differs from the exported copy, else the batch's first."""
    if exported is not None:
        outside = [tuple(pair) for pair in exported.get("leaves", [])]
        for ours, theirs in zip(leaves, outside, strict=False):
            if ours != theirs:
                row_id = min(ours[0], theirs[0])
                return _Broken(row_id, f"{reason}与导出的检查点文件相比，第一条不符的记录是 "
                                       f"#{row_id}。")
        if len(leaves) != len(outside):
            row_id = (outside[len(leaves)][0] if len(outside) > len(leaves)
                      else leaves[len(outside)][0])
            return _Broken(row_id, f"{reason}与导出的检查点文件相比，记录 #{row_id} 不符。")
    return _Broken(checkpoint.first_id, f"{reason}（检查点 {checkpoint.seq} 覆盖记录 "
                                        f"#{checkpoint.first_id}–#{checkpoint.last_id}）")


def _check_checkpoint(checkpoint: AuditCheckpoint, prev: AuditCheckpoint | None,
                      public: Ed25519PublicKey, storage: Storage, walk: _Walk) -> None:
    seq = checkpoint.seq
    leaves = _rows_of(checkpoint, walk)
    exported = _read_export(storage, seq)
    expected_seq, expected_prev = (1, GENESIS_HASH) if prev is None else (prev.seq + 1,
                                                                           prev.hash)
    if (seq != expected_seq or checkpoint.prev_hash != expected_prev
            or (prev is not None and checkpoint.first_id != prev.last_id + 1)):
        raise _Broken(checkpoint.first_id, f"检查点 {seq} 与前一检查点衔接不上："
                                           "检查点可能被删除、插入或改写。")
    statement = statement_of(checkpoint)
    root = merkle.root([leaf_hash(row_id, digest) for row_id, digest in leaves]).hex()
    if len(leaves) != checkpoint.tree_size or root != checkpoint.merkle_root:
        raise _locate(checkpoint, leaves, exported,
                      f"检查点 {seq} 的默克尔根与其记录不符：记录被改写、调换或删除。")
    if statement_hash(statement) != checkpoint.hash:
        raise _locate(checkpoint, leaves, exported, f"检查点 {seq} 的哈希与其内容不符。")
    if not _signature_ok(public, checkpoint, statement):
        raise _locate(checkpoint, leaves, exported,
                      f"检查点 {seq} 的签名无效：历史被改写并重算了哈希（没有私钥无法重新签名）。")
    if exported is None:
        raise _Broken(checkpoint.first_id, f"检查点 {seq} 的导出文件缺失。")
    if (exported.get("statement") != statement
            or exported.get("signature") != checkpoint.signature
            or [tuple(pair) for pair in exported.get("leaves", [])] != leaves):
        raise _locate(checkpoint, leaves, exported,
                      f"检查点 {seq} 与其导出文件不一致：数据库中的历史被改写。")
    walk.checkpoints += 1


def _check_tail(storage: Storage, last: AuditCheckpoint | None) -> None:
    """A checkpoint exported after the last one the database has: the tail was cut."""
    following = (last.seq + 1) if last else 1
    exported = _read_export(storage, following)
    if exported is not None:
        first_id = exported.get("statement", {}).get("first_id")
        raise _Broken(first_id, f"检查点 {following} 已导出，数据库中却没有："
                                "末尾的检查点及其记录可能被删除。")


def _check_unsealed(after: int | None, now: dt.datetime, walk: _Walk) -> None:
    rows = AuditEvent.objects.all() if after is None else AuditEvent.objects.filter(
        id__gt=after)
    alert = lag_alert_seconds()
    for row in rows.order_by("id").iterator(chunk_size=2000):
        age = (now - row.recorded_at).total_seconds()
        if age > alert:
            raise _Broken(row.id, f"记录 #{row.id} 写入 {int(age)} 秒仍未封存（超过 "
                                  f"{int(alert)} 秒）：封存任务可能没有运行。")
        _row_ok(row)
        walk.rows += 1
        walk.unsealed += 1


def audit_verify(*, now: dt.datetime | None = None) -> VerifyResult:
    """Check the whole log, oldest first; stop at the first bad row."""
    now = now or timezone.now()
    walk = _Walk()
    try:
        checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
        storage = checkpoint_storage()
        last = None
        if checkpoints:
            public = keys.public_key()
            early = (AuditEvent.objects.filter(id__lt=checkpoints[0].first_id)
                     .order_by("id").values_list("id", flat=True).first())
            if early is not None:
                raise _Broken(early, f"记录 #{early} 早于第一个检查点，未被任何检查点封存。")
            for checkpoint in checkpoints:
                _check_checkpoint(checkpoint, last, public, storage, walk)
                last = checkpoint
        _check_tail(storage, last)
        _check_unsealed(last.last_id if last else None, now, walk)
    except _Broken as broken:
        return VerifyResult(ok=False, checked=walk.rows, first_broken_id=broken.row_id,
                            reason=broken.reason, checkpoints=walk.checkpoints,
                            unsealed=walk.unsealed)
    if walk.rows == 0:
        reason = "审计日志为空。"
    else:
        reason = (f"审计日志完整，共 {walk.rows} 条，{walk.checkpoints} 个检查点，"
                  f"{walk.unsealed} 条待封存。")
    return VerifyResult(ok=True, checked=walk.rows, first_broken_id=None, reason=reason,
                        checkpoints=walk.checkpoints, unsealed=walk.unsealed)
