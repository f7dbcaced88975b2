"""Every write of the catalog. Keyword-only, ``actor`` and ``now`` passed in; each public
function runs as the outermost transaction (``durable=True``), audits its change in the
same transaction and publishes its events there too (delivered after commit).

Versions: ``item_create`` makes version 1 as a DRAFT; ``item_draft_update`` edits the
open draft or opens one copied from the published version; ``item_publish`` turns the
draft into the PUBLISHED version and the old one into SUPERSEDED (valid_to = now). A
published version is never edited in place. Lifecycle moves: see catalog.lifecycle.

An item's services take the resolved ``Implementation`` (ADR 0022): pages and routes get
it from ``selectors.access_implementation``; the service re-reads and locks the row and
checks the actor's scope for its own action (edit, publish, suspend, the hall list …) on
the locked row; out of scope is ``ItemNotFound`` (404), as at the access helper.

Validation errors are ``ElementsInvalid`` (a ValidationFailed, HTTP 422) whose
``details`` map field names (``name``, ``promised_limit_amount``, ``materials.0.name`` …)
to Chinese messages. ``actor=None`` is the system (command-line importers); see
catalog.permissions.
"""

from ..lifecycle import TRANSITIONS, allowed_operations, transition
from ..validators import parse_code
from .entries import entry_upsert, entry_upsert_inner, theme_create
from .files import material_file_store
from .forms import item_draft_open, version_form_copy, version_form_set
from .items import (
    compose_code,
    item_cancel,
    item_create,
    item_create_inner,
    item_draft_discard,
    item_draft_update,
    item_draft_update_inner,
    item_publish,
    item_publish_inner,
    item_resume,
    item_set_hall,
    item_suspend,
)

__all__ = [
    "TRANSITIONS",
    "allowed_operations",
    "compose_code",
    "entry_upsert",
    "entry_upsert_inner",
    "item_cancel",
    "item_create",
    "item_create_inner",
    "item_draft_discard",
    "item_draft_open",
    "item_draft_update",
    "item_draft_update_inner",
    "item_publish",
    "item_publish_inner",
    "item_resume",
    "item_set_hall",
    "item_suspend",
    "material_file_store",
    "parse_code",
    "theme_create",
    "transition",
    "version_form_copy",
    "version_form_set",
]
