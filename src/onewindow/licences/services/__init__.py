"""Every write of the licence library. Keyword-only, ``actor`` and ``now`` passed in.

Public services are Django's ``transaction.atomic(durable=True)``. The cases side issues
and logs inside its own approval/submission transaction (the licence must commit or roll
back with the approval), so it calls the non-durable bodies ``licence_issue_inner`` and
``licence_usage_record_inner``; the demo seeding uses ``licence_type_create_inner``.

``actor=None`` means the platform itself (e.g. issuing after an approval decided by a
workflow step); only code can pass it, never the API or the pages.
"""

from ..errors import ShareNotFound
from ..lifecycle import TRANSITIONS
from .common import (
    FIELD_TYPES,
    MAX_SHARE_HOURS,
    LicencePermissionDenied,
    ReasonRequired,
    add_months,
    clean_fields,
    default_valid_until,
    masked_holder_code,
    validate_field_schema,
)
from .issuing import (
    licence_amend,
    licence_annotate,
    licence_issue,
    licence_issue_inner,
    licence_revoke,
    licence_type_create,
    licence_type_create_inner,
)
from .keys import seal_licence, signer_for, signing_key_active, signing_key_rotate
from .use import (
    IssuedShare,
    licence_lookup,
    licence_share,
    licence_usage_record,
    licence_usage_record_inner,
    share_open,
    share_peek,
    share_revoke,
)

__all__ = [
    "FIELD_TYPES",
    "MAX_SHARE_HOURS",
    "TRANSITIONS",
    "IssuedShare",
    "LicencePermissionDenied",
    "ReasonRequired",
    "ShareNotFound",
    "add_months",
    "clean_fields",
    "default_valid_until",
    "licence_amend",
    "licence_annotate",
    "licence_issue",
    "licence_issue_inner",
    "licence_lookup",
    "licence_revoke",
    "licence_share",
    "licence_type_create",
    "licence_type_create_inner",
    "licence_usage_record",
    "licence_usage_record_inner",
    "masked_holder_code",
    "seal_licence",
    "share_open",
    "share_peek",
    "share_revoke",
    "signer_for",
    "signing_key_active",
    "signing_key_rotate",
    "validate_field_schema",
]
