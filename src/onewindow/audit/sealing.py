"""The sealer: links committed audit rows, in id order, into signed checkpoints.

One run (``audit_seal``) repeats, until nothing is left: in one short transaction, take
the single-sealer lock, read up to a batch of rows after the last checkpoint, keep the
longest run of them that is contiguous in id (up to declared gaps, below), and write one
checkpoint: its rows' Merkle root (RFC 6962, ``merkle.py``), the previous checkpoint's
hash, and an Ed25519 signature over the canonical statement (``statement_of``). After
commit the checkpoint is exported to the checkpoint storage, one file per checkpoint.

Single sealer: on PostgreSQL ``pg_try_advisory_xact_lock`` (a second sealer finds it taken
and leaves at once). On SQLite every transaction begins IMMEDIATE (settings), so a second
sealer waits for the first to commit and then continues after its checkpoint. Either
way the checkpoint's ``seq`` is the primary key and its ``first_id`` is unique, so two
sealers could never both extend the chain from the same place.

Gaps: ids come from a sequence that a rolled-back transaction does not give back. An id
is missing either because its transaction rolled back (it never appears) or because it
has not committed yet. Ids are handed out in time order, so a missing id was taken before
any later row was written; once a later row is ``ONEWINDOW_AUDIT_GAP_SECONDS`` old
(``recorded_at``), the missing id's transaction has been open that long since it wrote
its audit row, which the kernel writes last (common.lifecycle). Past that the id is
declared a gap: recorded in the checkpoint's ``gaps`` and signed with it. A row that
still commits later in a declared gap is reported by ``audit_verify``.

The age alone is not proof on PostgreSQL: a long transaction (a catalog import) may hold
an id for minutes. So before declaring, the sealer asks ``pg_stat_activity`` how long the
oldest transaction of this database that has written anything (it has an xid) has been
open; while one started before the later row was written, the missing id may be its, and
nothing is declared (``_oldest_writer_age``). It asks before reading the rows: a
transaction that is gone from that view has already become visible, so its rows are in the
read that follows. On SQLite no row is ever in flight while the sealer reads: its
transaction begins IMMEDIATE, which waits for every other writer to commit, and ids are
reused after a rollback, so a missing id there is a deleted row.

Sealing is idempotent and restartable: all state is the checkpoint table; a crashed run
leaves either a whole checkpoint or none, and an export that failed is retried by the
next run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from . import keys, merkle
from .chain import canonical_json, content_of, leaf_hash, payload_hash, sha256_hex
from .models import GENESIS_HASH, AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

STATEMENT_FORMAT = "onewindow-audit-checkpoint/1"
EXPORT_FORMAT = "onewindow-audit-checkpoint-export/1"
# Any constant bigint; it names the sealer's advisory lock on PostgreSQL.
SEAL_LOCK_KEY = 0x6F77_6175_6469_7473
# How many missing export files one run looks back for.
EXPORT_LOOKBACK = 1000
# A later row's age is measured by the clock of the host that wrote it, an open
# transaction's by the database's clock: a transaction that started up to this much after
# the row still holds the declaration (it only waits a little longer; it never loses a row).
CLOCK_TOLERANCE_SECONDS = 10.0

# The oldest transaction of this database, other than the sealer's own, that holds an xid
# (it has written something, as the one holding a missing id did) and is still open; a
# prepared transaction counts as open since forever. Seconds, by the database's clock.
_OLDEST_WRITER_SQL = """
SELECT GREATEST(
    (SELECT EXTRACT(EPOCH FROM clock_timestamp()
                               - min(COALESCE(xact_start, backend_start)))
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND backend_xid IS NOT NULL),
    (SELECT 'infinity'::float8 FROM pg_prepared_xacts
      WHERE database = current_database() LIMIT 1))
"""


def gap_seconds() -> float:
    return float(getattr(settings, "ONEWINDOW_AUDIT_GAP_SECONDS", 60))


def batch_size() -> int:
    return int(getattr(settings, "ONEWINDOW_AUDIT_BATCH_SIZE", 1000))


def checkpoint_storage() -> Storage:
    return storages[getattr(settings, "ONEWINDOW_AUDIT_CHECKPOINT_STORAGE", "audit_checkpoints")]


def file_name(seq: int) -> str:
    return f"checkpoint-{seq:012d}.json"


def _utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def statement_of(checkpoint: AuditCheckpoint) -> dict:
    """What a checkpoint says, and what its hash and signature cover."""
    return {
        "format": STATEMENT_FORMAT,
        "seq": checkpoint.seq,
        "first_id": checkpoint.first_id,
        "last_id": checkpoint.last_id,
        "tree_size": checkpoint.tree_size,
        "gaps": [list(span) for span in checkpoint.gaps],
        "merkle_root": checkpoint.merkle_root,
        "prev_hash": checkpoint.prev_hash,
        "sealed_at": _utc_iso(checkpoint.sealed_at),
        "key_id": checkpoint.key_id,
    }


def statement_hash(statement: dict) -> str:
    return sha256_hex(canonical_json(statement))


def gap_ids(spans: list[list[int]]) -> set[int]:
    return {row_id for start, end in spans for row_id in range(start, end + 1)}


def _spans(ids: list[int]) -> list[list[int]]:
    """[3, 4, 5, 9] -> [[3, 5], [9, 9]]: a long run of lost ids stays one entry."""
    spans: list[list[int]] = []
    for row_id in ids:
        if spans and spans[-1][1] == row_id - 1:
            spans[-1][1] = row_id
        else:
            spans.append([row_id, row_id])
    return spans


@dataclass(frozen=True)
class SealResult:
    checkpoints: int
    rows: int
    gaps: int
    busy: bool
    lag_seconds: float  # age of the oldest row still unsealed after the run (0: none)


def _single_sealer() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: the IMMEDIATE transaction already excludes other writers
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _oldest_writer_age() -> float | None:
    """Seconds the oldest other open writing transaction has run (None: there is none).
    Always None on SQLite, where the sealer's IMMEDIATE transaction has waited for them."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_OLDEST_WRITER_SQL)
        age = cursor.fetchone()[0]
    return None if age is None else float(age)


def _may_still_commit(row: AuditEvent, *, now: dt.datetime, writer_age: float | None,
                      clock: dt.datetime) -> bool:
    """Whether an id missing before ``row`` may still belong to a running transaction.

    It was taken before ``row`` was written, so its transaction started earlier still:
    young rows wait (``now`` is the sealer's time); so does a row written after the start
    of a transaction that is still open (ages by ``clock``, the clock ``recorded_at``
    comes from, against the database's)."""
    if row.recorded_at > now - dt.timedelta(seconds=gap_seconds()):
        return True
    if writer_age is None:
        return False
    row_age = (clock - row.recorded_at).total_seconds()
    return writer_age + CLOCK_TOLERANCE_SECONDS >= row_age


def _runnable(rows: list[AuditEvent], *, after: int | None, now: dt.datetime,
              writer_age: float | None,
              clock: dt.datetime) -> tuple[list[AuditEvent], list[int]]:
    """The rows that may be sealed now, in id order, and the ids declared gaps."""
    taken: list[AuditEvent] = []
    gaps: list[int] = []
    expected = None if after is None else after + 1
    for row in rows:
        missing = [] if expected is None else list(range(expected, row.id))
        if missing and _may_still_commit(row, now=now, writer_age=writer_age, clock=clock):
            break  # the missing ids may still commit: wait for them
        if payload_hash(content_of(row)) != row.payload_hash:
            # Never seal a row that no longer matches its hash; audit_verify names it.
            logger.error("audit row #%s does not match its payload hash; sealing stops",
                         row.id)
            break
        gaps.extend(missing)
        taken.append(row)
        expected = row.id + 1
    return taken, gaps


def _seal_batch(*, now: dt.datetime, size: int) -> AuditCheckpoint | Literal[False] | None:
    """Write one checkpoint; None when nothing can be sealed, False when busy."""
    with transaction.atomic(durable=True):
        if not _single_sealer():
            return False
        # Before the rows are read (see the module docstring): a writer that has ended by
        # now has its rows in the read below.
        writer_age = _oldest_writer_age()
        clock = timezone.now()
        last = AuditCheckpoint.objects.order_by("-seq").first()
        rows = AuditEvent.objects.order_by("id")
        if last is not None:
            rows = rows.filter(id__gt=last.last_id)
        taken, gaps = _runnable(list(rows[:size]), after=last.last_id if last else None,
                                now=now, writer_age=writer_age, clock=clock)
        if not taken:
            return None
        leaves = [leaf_hash(row.id, row.payload_hash) for row in taken]
        signing_key = keys.signing_key()
        checkpoint = AuditCheckpoint(
            seq=last.seq + 1 if last else 1,
            first_id=last.last_id + 1 if last else taken[0].id,
            last_id=taken[-1].id, tree_size=len(taken), gaps=_spans(gaps),
            merkle_root=merkle.root(leaves).hex(),
            prev_hash=last.hash if last else GENESIS_HASH, sealed_at=now,
            key_id=keys.key_id(signing_key.public_key()),
        )
        statement = statement_of(checkpoint)
        checkpoint.hash = statement_hash(statement)
        checkpoint.signature = base64.b64encode(
            signing_key.sign(canonical_json(statement))).decode("ascii")
        checkpoint.save()
        return checkpoint


def export_document(checkpoint: AuditCheckpoint, leaves: list[tuple[int, str]]) -> bytes:
    """The exported file: the signed statement, its hash and signature, and each sealed
    row's (id, payload hash), which lets audit_verify name a rewritten row."""
    document = {
        "format": EXPORT_FORMAT,
        "statement": statement_of(checkpoint),
        "hash": checkpoint.hash,
        "signature": checkpoint.signature,
        "leaves": [[row_id, digest] for row_id, digest in leaves],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def sealed_leaves(checkpoint: AuditCheckpoint) -> list[tuple[int, str]]:
    """The rows the checkpoint sealed, in id order: its id range without its declared gaps
    (a row that committed late into a gap was not sealed and is no leaf of this tree)."""
    lost = gap_ids(checkpoint.gaps)
    rows = (AuditEvent.objects.filter(id__gte=checkpoint.first_id, id__lte=checkpoint.last_id)
            .order_by("id").values_list("id", "payload_hash"))
    return [(row_id, payload_hash) for row_id, payload_hash in rows if row_id not in lost]


def _export(checkpoint: AuditCheckpoint) -> bool:
    """Write the checkpoint's file unless it is there already (files are never
    overwritten: the storage is where the database's role cannot rewrite history)."""
    storage = checkpoint_storage()
    name = file_name(checkpoint.seq)
    if storage.exists(name):
        return False
    saved = storage.save(name, ContentFile(export_document(checkpoint,
                                                           sealed_leaves(checkpoint))))
    if saved != name:
        logger.error("audit checkpoint %s was exported twice (%s)", checkpoint.seq, saved)
    return True


def export_missing() -> int:
    """Export the newest checkpoints whose files are missing (an earlier export failed)."""
    exported = 0
    for checkpoint in AuditCheckpoint.objects.order_by("-seq")[:EXPORT_LOOKBACK]:
        if checkpoint_storage().exists(file_name(checkpoint.seq)):
            break
        _export(checkpoint)
        exported += 1
    return exported


def unsealed_lag(now: dt.datetime) -> float:
    """Seconds since the oldest row not yet in a checkpoint was written (0: none)."""
    last_id = (AuditCheckpoint.objects.order_by("-seq").values_list("last_id", flat=True)
               .first())
    rows = AuditEvent.objects.all() if last_id is None else AuditEvent.objects.filter(
        id__gt=last_id)
    oldest = rows.aggregate(oldest=Min("recorded_at"))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def audit_seal(*, now: dt.datetime, size: int | None = None) -> SealResult:
    """Seal everything that can be sealed now (see the module docstring)."""
    size = size or batch_size()
    checkpoints = rows = gaps = 0
    busy = False
    while True:
        outcome = _seal_batch(now=now, size=size)
        if outcome is False:
            busy = True
            break
        if outcome is None:
            break
        checkpoints += 1
        rows += outcome.tree_size
        gaps += len(gap_ids(outcome.gaps))
        try:
            _export(outcome)
        except Exception:  # the storage is down: the next run retries (export_missing)
            logger.exception("audit checkpoint %s could not be exported", outcome.seq)
    if not busy:
        try:
            export_missing()
        except Exception:
            logger.exception("audit checkpoints could not be exported")
    return SealResult(checkpoints=checkpoints, rows=rows, gaps=gaps, busy=busy,
                      lag_seconds=unsealed_lag(now))
