"""Staff reads: the catalog admin's list (drafts included), one item to edit, and its
action log."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from onewindow.common.pagination import Page, keyset_page

from .. import permissions as perms
from .. import search
from ..codes import (
    ImplementationStatus,
    Operation,
    VersionStatus,
)
from ..elements import elements_of
from ..guides import CodeLabel, Guide, build_guide, code_label
from ..lifecycle import allowed_operations
from ..models import (
    Implementation,
    ImplementationAction,
    ImplementationVersion,
)
from .filters import DEFAULT_LIMIT, ItemFilters, _apply_filters, parse_filters
from .items import _with_content
from .lists import _summary

# --- staff ------------------------------------------------------------------------------


def staff_item_list(
    *, actor, filters: ItemFilters | Mapping[str, Any] | None = None,
    cursor: str | None = None, limit: int = DEFAULT_LIMIT,
) -> Page:
    """Items a catalog admin may edit, any status, unpublished ones included; a row's
    name is the published one or, before the first publication, the draft's.
    ``filters.status`` may be ACTIVE / SUSPENDED / CANCELLED or DRAFT (has an open draft)."""
    if not isinstance(filters, ItemFilters):
        filters = parse_filters(filters, allow_status=True)
    drafts = ImplementationVersion.objects.filter(
        implementation=OuterRef("pk"), status=VersionStatus.DRAFT
    )
    qs = (
        Implementation.objects.filter(perms.implementations_q(actor=actor,
                                                              action=perms.EDIT_ITEM))
        .select_related("current_version", "organisation", "entry")
        .annotate(
            draft_number=Subquery(drafts.values("number")[:1]),
            _name=Coalesce("current_version__name", Subquery(drafts.values("name")[:1])),
            _text=Coalesce("current_version__search_text",
                           Subquery(drafts.values("search_text")[:1])),
        )
    )
    qs = _apply_filters(qs, filters)
    if filters.status == "DRAFT":
        qs = qs.filter(draft_number__isnull=False)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    order = ["code"]
    if filters.searching:
        qs = search.apply(qs, filters.q, text_field="_text", name_field="_name")
        order = ["-search_rank", "code"]
    page = keyset_page(qs, order=order, cursor=cursor, limit=limit)
    return Page(
        items=[_summary(i, i.current_version, name=i._name or "",
                        has_draft=i.draft_number is not None) for i in page.items],
        next_cursor=page.next_cursor,
    )


@dataclass(frozen=True)
class ActionView:
    operation: CodeLabel
    from_status: str
    to_status: str
    version: int | None
    reason: str
    actor: str
    occurred_at: Any


@dataclass
class EditView:
    """Everything an edit page needs about one item."""

    implementation: Implementation
    current: ImplementationVersion | None
    draft: ImplementationVersion | None
    elements: dict  # of the draft if any, else of the current version: the form's initial
    allowed_operations: list[str]
    actions: list[ActionView] = field(default_factory=list)

    @property
    def current_guide(self) -> Guide | None:
        return build_guide(self.current) if self.current else None

    @property
    def draft_guide(self) -> Guide | None:
        return build_guide(self.draft) if self.draft else None


def item_for_edit(*, implementation: Implementation) -> EditView:
    """The item (reached through ``access_implementation``) with its current version, open
    draft, form initial values, the allowed lifecycle operations and the history."""
    versions = list(_with_content(ImplementationVersion.objects.filter(
        implementation=implementation,
        status__in=[VersionStatus.DRAFT, VersionStatus.PUBLISHED],
    )))
    for v in versions:
        v.implementation = implementation
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    current = next((v for v in versions if v.pk == implementation.current_version_id), None)
    base = draft or current
    return EditView(
        implementation=implementation, current=current, draft=draft,
        elements=elements_of(base) if base else {},
        allowed_operations=allowed_operations(implementation),
        actions=item_actions(implementation=implementation),
    )


def item_actions(*, implementation: Implementation) -> list[ActionView]:
    """The 新增/变更/暂停/恢复/取消 history of an item, oldest first."""
    rows = (
        ImplementationAction.objects.filter(implementation=implementation)
        .select_related("actor", "version").order_by("occurred_at", "id")
    )
    return [
        ActionView(
            operation=code_label(Operation, a.operation),
            from_status=a.from_status, to_status=a.to_status,
            version=a.version.number if a.version else None, reason=a.reason,
            actor=str(a.actor) if a.actor else gettext("系统"), occurred_at=a.occurred_at,
        )
        for a in rows
    ]




@dataclass(frozen=True)
class FormSource:
    """A published item whose form an admin may copy (anyone may read it in the guide)."""

    code: str
    name: str
    department: str
    version: int
    fields: int


def form_sources(*, q: str, exclude: str = "", limit: int = 20) -> list[FormSource]:
    """Items in use (not cancelled) whose current published version has a form of its
    own, found by 实施编码 (its start) or name; the item ``exclude`` left out."""
    q = (q or "").strip()
    if not q:
        return []
    found = (
        Implementation.objects.exclude(status=ImplementationStatus.CANCELLED).exclude(code=exclude)
        .filter(current_version__isnull=False)
        .exclude(current_version__form={})
        .select_related("current_version", "organisation")
    )
    if q.isalnum() and q.isascii():
        found = found.filter(code__startswith=q.upper())
    else:
        found = found.filter(current_version__name__icontains=q)
    result = []
    for implementation in found.order_by("code")[:limit]:
        version = implementation.current_version
        assert version is not None
        count = sum(len(page.get("fields") or []) for page in version.form.get("pages") or [])
        result.append(FormSource(code=implementation.code, name=version.name,
                                 department=implementation.organisation.name,
                                 version=version.number, fields=count))
    return result
