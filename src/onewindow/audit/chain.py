"""How an audit row is hashed.

The hash covers a canonical JSON text of the row's content and the previous row's hash.
Canonical means: keys sorted, no whitespace, UTF-8 text as is (ensure_ascii=False), times
as ISO 8601 in UTC. UTC matters: the caller's ``now`` may carry Asia/Shanghai while the
database hands the same instant back in UTC, and both must hash the same.
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


def _utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def canonical_text(content: dict[str, Any], prev_hash: str) -> str:
    document = dict(content)
    document["occurred_at"] = _utc_iso(document["occurred_at"])
    document["prev_hash"] = prev_hash
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(content: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical_text(content, prev_hash).encode("utf-8")).hexdigest()


def content_of(event) -> dict[str, Any]:
    """The hashed fields of an AuditEvent (saved or not)."""
    return {name: getattr(event, name) for name in CONTENT_FIELDS}
