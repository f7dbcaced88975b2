"""The workbench's catalog administration (事项管理) for catalog admins, scoped to the
organisations their role was granted over: items outside it look missing (404).

Edits never touch a published version: saving makes or updates the item's draft, and
publishing the draft makes a new version (the old one stays readable). Every lifecycle
action asks for a reason and states its consequence before it is confirmed.
"""

from .common import (
    EDIT_ITEM,
    IMPORT_EXPORT,
    LIST_FILTERS,
    PAGE_SIZE,
    STATUS_CHOICES,
    XLSX,
    catalog_admin_required,
)
from .edit import (
    SECTION_CLASSES,
    EditForms,
    item_edit,
    item_new,
)
from .excel import (
    catalog_export,
    catalog_import,
)
from .form_editor import (
    form_copy,
    form_edit,
    form_field,
    form_page,
    form_preview,
    form_rule,
)
from .items import (
    GUIDE_LABELS,
    OPERATIONS,
    OperationSpec,
    item_detail,
    item_list,
    item_operation,
    item_version,
)

__all__ = [
    "EDIT_ITEM",
    "GUIDE_LABELS",
    "IMPORT_EXPORT",
    "LIST_FILTERS",
    "OPERATIONS",
    "PAGE_SIZE",
    "SECTION_CLASSES",
    "STATUS_CHOICES",
    "XLSX",
    "EditForms",
    "OperationSpec",
    "catalog_admin_required",
    "catalog_export",
    "catalog_import",
    "form_copy",
    "form_edit",
    "form_field",
    "form_page",
    "form_preview",
    "form_rule",
    "item_detail",
    "item_edit",
    "item_list",
    "item_new",
    "item_operation",
    "item_version",
]
