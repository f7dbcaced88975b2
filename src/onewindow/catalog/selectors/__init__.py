"""Reads of the catalog that carry rules: what the public sees (published versions of
active items), what a catalog admin may see (their subtree, drafts included), filters,
search ranking and keyset pagination.

Public reads never need an actor; staff reads take ``actor`` and apply the same scope
rule as the services (items outside it do not exist for the caller); a page or route that
names an item or version a staff member edits reaches it through ``access_implementation``
/ ``access_version`` first.
"""

from .access import access_implementation, access_version
from .facets import (
    Facet,
    department_facets,
    entry_get,
    item_type_facets,
    level_label,
    service_object_facets,
    theme_facets,
)
from .filters import (
    DEFAULT_LIMIT,
    FILTER_NAMES,
    MAX_LIMIT,
    PUBLIC_VERSION_STATUSES,
    ItemFilters,
    parse_filters,
    parse_limit,
)
from .items import (
    ItemForm,
    MaterialFile,
    VersionSummary,
    guide,
    guide_of,
    implementation_get,
    implementation_versions,
    item_form,
    material_file,
)
from .lists import (
    ItemSummary,
    implementation_choices,
    implementation_list,
)
from .staff import (
    ActionView,
    EditView,
    FormSource,
    form_sources,
    item_actions,
    item_for_edit,
    staff_item_list,
)

__all__ = [
    "DEFAULT_LIMIT",
    "FILTER_NAMES",
    "MAX_LIMIT",
    "PUBLIC_VERSION_STATUSES",
    "ActionView",
    "EditView",
    "Facet",
    "FormSource",
    "ItemFilters",
    "ItemForm",
    "ItemSummary",
    "MaterialFile",
    "VersionSummary",
    "access_implementation",
    "access_version",
    "department_facets",
    "entry_get",
    "form_sources",
    "guide",
    "guide_of",
    "implementation_choices",
    "implementation_get",
    "implementation_list",
    "implementation_versions",
    "item_actions",
    "item_for_edit",
    "item_form",
    "item_type_facets",
    "level_label",
    "material_file",
    "parse_filters",
    "parse_limit",
    "service_object_facets",
    "staff_item_list",
    "theme_facets",
]
