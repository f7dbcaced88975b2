"""``audit_prove``: one row's inclusion proof, checkable with the public key alone.

Format ``onewindow-audit-proof/1`` (a JSON object; docs/decisions/0027):

    {"format": "onewindow-audit-proof/1",
     "row": {"id": 42, "content": {...}},      # the row as hashed (chain.document_of)
     "payload_hash": "<hex>",
     "leaf_index": 3, "tree_size": 17,
     "audit_path": ["<hex>", ...],             # RFC 6962 PATH(leaf_index, D[tree_size])
     "checkpoint": {"statement": {...}, "hash": "<hex>", "signature": "<base64>"}}

To check it: (1) SHA-256 of the canonical JSON of ``row.content`` is ``payload_hash``;
(2) the leaf is SHA-256(0x00 || canonical JSON of {"id", "payload_hash"}); (3) the leaf
and ``audit_path`` give ``statement.merkle_root`` (RFC 9162 2.1.3.2) for ``leaf_index``
< ``tree_size`` = ``statement.tree_size``; (4) the Ed25519 ``signature`` over the
canonical JSON of ``statement`` checks with the public key; ``statement.key_id`` names
it. Canonical JSON: keys sorted, separators "," and ":", non-ASCII as is, UTF-8.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import merkle
from .chain import content_of, document_of, leaf_hash
from .errors import AuditRowNotSealed
from .models import AuditCheckpoint, AuditEvent
from .sealing import gap_ids, sealed_leaves, statement_of

PROOF_FORMAT = "onewindow-audit-proof/1"


def audit_prove(row_id: int) -> dict:
    checkpoint = AuditCheckpoint.objects.filter(first_id__lte=row_id,
                                                last_id__gte=row_id).first()
    row = AuditEvent.objects.filter(pk=row_id).first()
    if checkpoint is None or row is None or row_id in gap_ids(checkpoint.gaps):
        raise AuditRowNotSealed(_("记录 #%(row_id)s 不存在或尚未封存。") % {"row_id": row_id},
                                details={"row_id": row_id})
    leaves = sealed_leaves(checkpoint)
    index = [pair[0] for pair in leaves].index(row_id)
    path = merkle.inclusion_path(index, [leaf_hash(i, digest) for i, digest in leaves])
    return {
        "format": PROOF_FORMAT,
        "row": {"id": row.id, "content": document_of(content_of(row))},
        "payload_hash": row.payload_hash,
        "leaf_index": index,
        "tree_size": len(leaves),
        "audit_path": [node.hex() for node in path],
        "checkpoint": {"statement": statement_of(checkpoint), "hash": checkpoint.hash,
                       "signature": checkpoint.signature},
    }
