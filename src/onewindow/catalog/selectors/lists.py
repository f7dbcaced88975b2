"""Lists of published items: the public catalog list (filtered, searched, keyset
pages) and the window's item picker."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from onewindow.common.pagination import Page, keyset_page
from onewindow.identity.models import Organisation

from .. import search
from ..codes import (
    ExerciseLevel,
    HandlingType,
    ImplementationStatus,
    ItemType,
    OnlineDepth,
)
from ..guides import CodeLabel, Limit, code_label, make_limit, optional_code_label
from ..models import (
    Implementation,
    ImplementationVersion,
)
from .filters import DEFAULT_LIMIT, ItemFilters, _apply_filters, parse_filters

# --- public list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSummary:
    """One row of a catalog list."""

    code: str
    name: str
    department: str
    department_id: int
    item_type: CodeLabel
    level: CodeLabel
    status: CodeLabel
    handling_type: CodeLabel
    legal_limit: Limit
    promised_limit: Limit
    online_depth: CodeLabel | None
    visit_count: int
    in_hall: bool
    version: int | None
    has_draft: bool = False
    rank: int | None = None


def _summary(impl: Implementation, version: ImplementationVersion | None, *,
             name: str = "", has_draft: bool = False) -> ItemSummary:
    return ItemSummary(
        code=impl.code,
        name=version.name if version else name,
        department=impl.organisation.name,
        department_id=impl.organisation_id,
        item_type=code_label(ItemType, impl.entry.item_type),
        level=code_label(ExerciseLevel, impl.level),
        status=code_label(ImplementationStatus, impl.status),
        handling_type=code_label(HandlingType, version.handling_type if version else "")
        or CodeLabel("", ""),
        legal_limit=make_limit(version.legal_limit_amount, version.legal_limit_unit,
                               version.legal_limit_note) if version else make_limit(None, ""),
        promised_limit=make_limit(version.promised_limit_amount, version.promised_limit_unit,
                                  version.promised_limit_note) if version else make_limit(None, ""),
        online_depth=optional_code_label(OnlineDepth, version.online_depth) if version else None,
        visit_count=version.visit_count if version else 0,
        in_hall=impl.in_hall,
        version=version.number if version else None,
        has_draft=has_draft,
        rank=getattr(impl, "search_rank", None),
    )


_LIST_VERSION_FIELDS = (
    "current_version__id", "current_version__number", "current_version__name",
    "current_version__handling_type", "current_version__legal_limit_amount",
    "current_version__legal_limit_unit", "current_version__legal_limit_note",
    "current_version__promised_limit_amount", "current_version__promised_limit_unit",
    "current_version__promised_limit_note", "current_version__online_depth",
    "current_version__visit_count",
)


def implementation_list(
    *, filters: ItemFilters | Mapping[str, Any] | None = None, cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """Published, active items, filtered; ordered by 实施编码, or by search rank when
    ``filters.q`` is given. Returns ``Page(items=[ItemSummary], next_cursor)``."""
    if not isinstance(filters, ItemFilters):
        filters = parse_filters(filters)
    qs = (
        Implementation.objects.filter(status=ImplementationStatus.ACTIVE,
                                      current_version__isnull=False)
        .select_related("current_version", "organisation", "entry")
        .only("code", "level", "status", "in_hall", "organisation__name", "entry__item_type",
              "current_version_id", *_LIST_VERSION_FIELDS)
    )
    qs = _apply_filters(qs, filters)
    order = ["code"]
    if filters.searching:
        qs = search.apply(qs, filters.q, text_field="current_version__search_text",
                          name_field="current_version__name")
        order = ["-search_rank", "code"]
    page = keyset_page(qs, order=order, cursor=cursor, limit=limit)
    return Page(items=[_summary(i, i.current_version) for i in page.items],
                next_cursor=page.next_cursor)


_CODE_QUERY = re.compile(r"^[0-9A-Za-z]{4,31}$")


def implementation_choices(*, organisation: Organisation, q: str = "",
                           limit: int = 50) -> tuple[list[ItemSummary], bool]:
    """Items a window in ``organisation``'s subtree receives: published, active and in the
    hall (进驻大厅), found by name words or by part of the 实施编码 when ``q`` looks like
    a code. Returns (at most ``limit`` items, whether more matched)."""
    q = " ".join((q or "").split())[:search.MAX_QUERY_LENGTH]
    qs = (
        Implementation.objects.filter(status=ImplementationStatus.ACTIVE, in_hall=True,
                                      current_version__isnull=False)
        .select_related("current_version", "organisation", "entry")
    )
    qs = _apply_filters(qs, ItemFilters(organisation=organisation))
    order = ["code"]
    # 实施编码 are letters and digits; a name query with a digit in it is rare.
    if _CODE_QUERY.match(q) and any(c.isdigit() for c in q):
        qs = qs.filter(code__contains=q.upper())
    elif q and search.query_words(q):
        qs = search.apply(qs, q, text_field="current_version__search_text",
                          name_field="current_version__name")
        order = ["-search_rank", "code"]
    rows = list(qs.order_by(*order)[:limit + 1])
    return [_summary(i, i.current_version) for i in rows[:limit]], len(rows) > limit


