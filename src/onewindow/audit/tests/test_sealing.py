"""Sealing, and every kind of tampering the sealed log must reveal (issue 12)."""

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.storage import storages
from django.db import transaction

from onewindow.audit import merkle
from onewindow.audit.chain import canonical_json, content_of, leaf_hash, payload_hash
from onewindow.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from onewindow.audit.sealing import file_name, sealed_leaves, statement_hash, statement_of
from onewindow.audit.services import audit_seal, audit_verify

from .conftest import CHECKPOINTS, EVENTS, record, tampering

pytestmark = pytest.mark.django_db


def _sealed(now, n, *, batch=3):
    events = record(now, n)
    result = audit_seal(now=now, size=batch)
    assert result.rows == n
    assert audit_verify(now=now).ok
    return events


def _checkpoint_files() -> list[str]:
    return sorted(storages["audit_checkpoints"].listdir("")[1])


def _set_row(cursor, row_id, after: dict, *, rehash: bool) -> None:
    row = AuditEvent.objects.get(pk=row_id)
    row.after = after
    digest = payload_hash(content_of(row)) if rehash else row.payload_hash
    cursor.execute(f"UPDATE {EVENTS} SET after = %s, payload_hash = %s WHERE id = %s",  # noqa: S608
                   [json.dumps(after, ensure_ascii=False), digest, row_id])


def _rehash_checkpoints(cursor, *, sign_with=None) -> None:
    """What someone with the database and the public hash function can redo: every Merkle
    root, checkpoint hash and link (and a signature, but only with a key of their own)."""
    prev = GENESIS_HASH
    for checkpoint in AuditCheckpoint.objects.order_by("seq"):
        leaves = [leaf_hash(i, digest) for i, digest in sealed_leaves(checkpoint)]
        checkpoint.merkle_root = merkle.root(leaves).hex()
        checkpoint.prev_hash = prev
        if sign_with is not None:
            checkpoint.key_id = "f" * 16
        statement = statement_of(checkpoint)
        checkpoint.hash = statement_hash(statement)
        signature = checkpoint.signature
        if sign_with is not None:
            signature = base64.b64encode(sign_with.sign(canonical_json(statement))).decode()
        cursor.execute(
            f"UPDATE {CHECKPOINTS} SET merkle_root = %s, prev_hash = %s, hash = %s, "  # noqa: S608
            "key_id = %s, signature = %s WHERE seq = %s",
            [checkpoint.merkle_root, prev, checkpoint.hash, checkpoint.key_id, signature,
             checkpoint.seq])
        prev = checkpoint.hash


def test_sealing_makes_chained_signed_checkpoints_and_exports_each(now):
    events = _sealed(now, 7, batch=3)
    checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
    assert [(c.first_id, c.last_id, c.tree_size) for c in checkpoints] == [
        (events[0].pk, events[2].pk, 3), (events[3].pk, events[5].pk, 3),
        (events[6].pk, events[6].pk, 1)]
    assert checkpoints[0].prev_hash == GENESIS_HASH
    assert [c.prev_hash for c in checkpoints[1:]] == [c.hash for c in checkpoints[:-1]]
    assert _checkpoint_files() == [file_name(1), file_name(2), file_name(3)]
    with storages["audit_checkpoints"].open(file_name(2)) as handle:
        exported = json.loads(handle.read())
    assert exported["statement"] == statement_of(checkpoints[1])
    assert exported["leaves"] == [[e.pk, e.payload_hash] for e in events[3:6]]


def test_sealing_again_changes_nothing_and_restores_a_lost_export(now):
    _sealed(now, 4)
    files = _checkpoint_files()
    again = audit_seal(now=now)
    assert (again.checkpoints, again.rows) == (0, 0)
    assert AuditCheckpoint.objects.count() == 2 and _checkpoint_files() == files

    storages["audit_checkpoints"].delete(file_name(2))
    assert not audit_verify(now=now).ok
    audit_seal(now=now)  # the next run exports what an earlier run could not
    assert _checkpoint_files() == files and audit_verify(now=now).ok


def test_edited_sealed_row_is_named(now):
    events = _sealed(now, 5)
    with tampering() as cursor:
        _set_row(cursor, events[3].pk, {"name": "篡改"}, rehash=False)
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[3].pk
    assert "内容与其哈希不符" in result.reason


def test_deleted_row_is_named(now):
    events = _sealed(now, 5)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [events[1].pk])  # noqa: S608
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[1].pk
    assert "缺失" in result.reason


def test_deleted_last_row_is_named(now):
    events = _sealed(now, 5)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [events[4].pk])  # noqa: S608
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[4].pk


def test_cutting_the_tail_with_its_checkpoints_is_revealed_by_the_export(now):
    events = _sealed(now, 6)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {CHECKPOINTS} WHERE seq = 2")  # noqa: S608
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id >= %s", [events[3].pk])  # noqa: S608
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[3].pk
    assert "已导出" in result.reason


def test_rewrite_and_rehash_with_the_public_hash_fails_on_the_signature(now):
    events = _sealed(now, 6)
    with tampering() as cursor:
        _set_row(cursor, events[4].pk, {"name": "改写"}, rehash=True)
        _rehash_checkpoints(cursor)
    result = audit_verify(now=now)
    assert not result.ok
    assert "签名无效" in result.reason
    # The exported copy lists every sealed row's hash, so the rewritten row is named.
    assert result.first_broken_id == events[4].pk


def test_rewrite_signed_with_another_key_fails_too(now):
    events = _sealed(now, 6)
    with tampering() as cursor:
        _set_row(cursor, events[1].pk, {"name": "改写"}, rehash=True)
        _rehash_checkpoints(cursor, sign_with=Ed25519PrivateKey.generate())
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[1].pk
    assert "签名无效" in result.reason


def test_rewrite_without_an_export_still_fails_at_its_checkpoint(now):
    events = _sealed(now, 6)
    storages["audit_checkpoints"].delete(file_name(2))
    with tampering() as cursor:
        _set_row(cursor, events[4].pk, {"name": "改写"}, rehash=True)
        _rehash_checkpoints(cursor)
    result = audit_verify(now=now)
    assert not result.ok and "签名无效" in result.reason
    assert result.first_broken_id == events[3].pk  # the first row of checkpoint 2


def test_reordered_rows_are_named(now):
    events = _sealed(now, 6)
    a, b = AuditEvent.objects.get(pk=events[1].pk), AuditEvent.objects.get(pk=events[2].pk)
    with tampering() as cursor:
        for target, source in ((a.pk, b), (b.pk, a)):
            cursor.execute(
                f"UPDATE {EVENTS} SET subject_id = %s, before = %s, after = %s, "  # noqa: S608
                "occurred_at = %s, payload_hash = %s WHERE id = %s",
                [source.subject_id, json.dumps(source.before, ensure_ascii=False),
                 json.dumps(source.after, ensure_ascii=False), source.occurred_at,
                 source.payload_hash, target])
    assert all(payload_hash(content_of(row)) == row.payload_hash
               for row in AuditEvent.objects.all())  # each row still matches its own hash
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == events[1].pk
    assert "默克尔根" in result.reason


def _row(now, *, row_id: int | None = None, subject_id: str = "9") -> AuditEvent:
    row = AuditEvent(id=row_id, occurred_at=now, actor_label="system", action="test.thing",
                     subject_type="test.thing", subject_id=subject_id, request_id="")
    row.payload_hash = payload_hash(content_of(row))
    row.save()
    return row


def test_a_missing_id_is_waited_for_then_recorded_as_a_gap(now, settings):
    settings.ONEWINDOW_AUDIT_GAP_SECONDS = 60
    (first,) = record(now, 1)
    # Ids first + 1 and + 2 were taken by transactions that have not committed (yet).
    third = _row(now, row_id=first.pk + 3)

    young = audit_seal(now=now)
    # The missing ids might belong to transactions still running: wait for them.
    assert young.rows == 1 and AuditCheckpoint.objects.get().last_id == first.pk
    assert audit_verify(now=now).ok

    later = audit_seal(now=now + dt.timedelta(seconds=61))
    assert (later.rows, later.gaps) == (1, 2)
    checkpoint = AuditCheckpoint.objects.get(seq=2)
    assert (checkpoint.first_id, checkpoint.last_id) == (first.pk + 1, third.pk)
    assert checkpoint.gaps == [[first.pk + 1, first.pk + 2]]
    assert audit_verify(now=now).ok

    # A row that commits after its id was declared lost (or is inserted) is named.
    _row(now, row_id=first.pk + 2)
    result = audit_verify(now=now)
    assert not result.ok and result.first_broken_id == first.pk + 2
    assert "空缺" in result.reason


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_a_recorded_gap(postgres_only, now, settings):
    settings.ONEWINDOW_AUDIT_GAP_SECONDS = 60
    with transaction.atomic(durable=True):
        (_first,) = record(now, 1)
    with pytest.raises(RuntimeError), transaction.atomic(durable=True):
        (lost,) = record(now, 1, first=1)
        raise RuntimeError("业务失败")
    with transaction.atomic(durable=True):
        (third,) = record(now, 1, first=2)
    assert third.pk == lost.pk + 1  # PostgreSQL never hands a rolled-back id out again

    assert audit_seal(now=now).rows == 1
    later = audit_seal(now=now + dt.timedelta(seconds=61))
    assert (later.rows, later.gaps) == (1, 1)
    assert AuditCheckpoint.objects.get(seq=2).gaps == [[lost.pk, lost.pk]]
    assert audit_verify(now=now).ok


def test_a_row_not_matching_its_hash_is_never_sealed(now):
    events = record(now, 3)
    with tampering() as cursor:
        _set_row(cursor, events[1].pk, {"name": "篡改"}, rehash=False)
    result = audit_seal(now=now)
    assert result.rows == 1 and AuditCheckpoint.objects.get().last_id == events[0].pk
    verified = audit_verify(now=now)
    assert not verified.ok and verified.first_broken_id == events[1].pk
