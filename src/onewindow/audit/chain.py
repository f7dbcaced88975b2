"""How an audit row is hashed, and how a sealed row becomes a Merkle leaf.

A row's ``payload_hash`` is SHA-256 over the canonical JSON text of its content: keys
sorted, no whitespace, UTF-8 text as is (ensure_ascii=False), times as ISO 8601 in UTC.
UTC matters: the caller's ``now`` may carry Asia/Shanghai while the database hands the
same instant back in UTC, and both must hash the same. The hash covers the content only
(no neighbour), so writers need no shared lock; the sealer links rows later
(docs/decisions/0027).

A sealed row's Merkle leaf binds its id to its payload hash, so moving content to another
id (reordering) changes the leaf: ``leaf = SHA-256(0x00 || canonical JSON of
{"id": <id>, "payload_hash": <hex>})`` (RFC 6962 leaf prefix).
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

CONTENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "before",
    "after",
    "request_id",
)


def normalize_json(data: Any) -> Any:
    """Turn dates, decimals, UUIDs … into the plain JSON values the database will return.

    The stored value and the hashed value must be identical, so both come from this.
    """
    if data is None:
        return None
    # allow_nan=False: NaN/Infinity are not JSON and PostgreSQL would refuse them.
    return _integral_floats(json.loads(json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False)))


def _integral_floats(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e16 back as the integer 10000000000000000; Python would
    # write the float as "1e+16". Storing such floats as ints keeps the hash stable.
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    """The one canonical JSON form of audit hashing (rules in the module docstring)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_of(content: dict[str, Any]) -> dict[str, Any]:
    """The row content as hashed: plain JSON values, ``occurred_at`` as UTC ISO 8601.
    An inclusion proof prints exactly this, so an auditor hashes what they read."""
    document = dict(content)
    occurred_at = document["occurred_at"]
    if isinstance(occurred_at, dt.datetime):
        document["occurred_at"] = occurred_at.astimezone(dt.UTC).isoformat()
    return document


def payload_hash(content: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(document_of(content)))


def content_of(event) -> dict[str, Any]:
    """The hashed fields of an AuditEvent (saved or not)."""
    return {name: getattr(event, name) for name in CONTENT_FIELDS}


def leaf_hash(row_id: int, row_payload_hash: str) -> bytes:
    return hashlib.sha256(
        b"\x00" + canonical_json({"id": row_id, "payload_hash": row_payload_hash})
    ).digest()
