"""Import the Guangdong government-service catalog (广东政务服务网, JSON Lines).

One JSON object per line with the fields of the crawled ``policy.json`` (see
catalog/data/README.md). Missing values are the string "无". Every line ends up read and
then created, updated, unchanged or skipped with a reason; a bad line never stops the
import.

Idempotent: a record whose canonical elements hash to the current published version's
``content_hash`` is unchanged and writes nothing; a changed record publishes a new
version (the old one is SUPERSEDED). Records of items with an open draft (someone is
editing) or a cancelled item are skipped rather than overwritten.

Fast: records are parsed and validated in Python first, then written per batch with
bulk inserts (implementations, versions, materials, many-to-many rows, action log); only
the audit rows and events are written one per item, because the audit chain needs them
in order. Departments become identity Organisations under a government per region
(created if missing), through identity's own service.

The import acts as the system: it resolves items by 实施编码 itself, without an actor
check (there is no ``access_implementation`` call), and does not go through the item
services. ``actor`` (an account named on the command line, or None) is only recorded in
the audit rows.
"""

from .parsing import (
    ANALYZE_AFTER,
    BATCH_SIZE,
    BUNDLED_FILE,
    IGNORED_THEMES,
    ITEM_TYPE_BY_LABEL,
    MISSING,
    REGION_GOVERNMENTS,
    SERVICE_OBJECT_NAMES,
    SOURCE_REASON,
    UNIT_NAMES,
    ImportReport,
    Parsed,
    SkipRecord,
    parse_limit,
    parse_record,
    read_records,
)
from .writing import (
    ensure_entries,
    ensure_organisations,
    ensure_themes,
    import_gdzwfw,
    import_records,
    refresh_statistics,
)

__all__ = [
    "ANALYZE_AFTER",
    "BATCH_SIZE",
    "BUNDLED_FILE",
    "IGNORED_THEMES",
    "ITEM_TYPE_BY_LABEL",
    "MISSING",
    "REGION_GOVERNMENTS",
    "SERVICE_OBJECT_NAMES",
    "SOURCE_REASON",
    "UNIT_NAMES",
    "ImportReport",
    "Parsed",
    "SkipRecord",
    "ensure_entries",
    "ensure_organisations",
    "ensure_themes",
    "import_gdzwfw",
    "import_records",
    "parse_limit",
    "parse_record",
    "read_records",
    "refresh_statistics",
]
