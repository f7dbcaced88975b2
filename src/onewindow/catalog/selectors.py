"""Reads of the catalog that carry rules: what the public sees (published versions of
active items), what a catalog admin may see (their subtree, drafts included), filters,
search ranking and keyset pagination.

Public reads never need an actor; staff reads take ``actor`` and apply the same scope
rule as the services (items outside it do not exist for the caller).
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from onewindow.common.ids import is_digits
from onewindow.common.pagination import Page, keyset_page
from onewindow.identity.models import Organisation

from . import permissions as perms
from . import search
from .codes import (
    IMPLEMENTATION_LEVELS,
    ExerciseLevel,
    HandlingType,
    ImplementationStatus,
    ItemType,
    OnlineDepth,
    Operation,
    VersionStatus,
    label,
)
from .elements import elements_of
from .errors import EntryNotFound, FileNotFound, InvalidFilter, ItemNotFound, VersionNotFound
from .guides import CodeLabel, Guide, Limit, build_guide, code_label, make_limit
from .lifecycle import allowed_operations
from .models import (
    CatalogEntry,
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Material,
    ServiceObject,
    Theme,
)
from .services.files import content_type_of
from .validators import parse_code

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PUBLIC_VERSION_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


# --- filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """Parsed, validated browse filters (build with ``parse_filters``)."""

    organisation: Organisation | None = None
    item_type: str = ""
    level: str = ""
    theme: Theme | None = None
    service_object: str = ""
    q: str = ""
    status: str = ""  # staff lists only

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (pages keep filters in the URL)."""
        query = {
            "org": str(self.organisation.pk) if self.organisation else "",
            "type": self.item_type, "level": self.level,
            "theme": str(self.theme.pk) if self.theme else "",
            "service_object": self.service_object, "q": self.q, "status": self.status,
        }
        return {k: v for k, v in query.items() if v}

    @property
    def searching(self) -> bool:
        """Whether ``q`` holds words to search for. A query of punctuation alone
        (“，”, “!!!”, “-”) has none: the list is then the plain browse list."""
        return bool(self.q) and bool(search.query_words(self.q))

    @property
    def q_without_words(self) -> bool:
        """A query was typed but nothing in it can be searched (pages say so)."""
        return bool(self.q) and not self.searching


FILTER_NAMES = ("org", "type", "level", "theme", "service_object", "q", "status")


def parse_filters(raw: Mapping[str, Any] | None, *, allow_status: bool = False) -> ItemFilters:
    """Turn URL/query parameters into ``ItemFilters``; bad values raise ``InvalidFilter``
    whose details map each parameter to a Chinese message."""
    raw = raw or {}
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        value = " ".join(str(value).split())
        # A NUL or other control character is never typed by a person (it comes from a
        # crafted URL such as q=%00) and PostgreSQL refuses it in a string.
        if any(unicodedata.category(c) == "Cc" for c in value):
            errors[name] = "筛选条件中含有无法识别的控制字符，请重新输入。"
            return ""
        return value

    organisation = None
    org = text("org")
    if org:
        if not is_digits(org):
            errors["org"] = "机构（org）应为机构编号（正整数）。"
        else:
            organisation = Organisation.objects.filter(pk=int(org)).first()
            if organisation is None:
                errors["org"] = f"没有编号为 {org} 的机构。"
    item_type = text("type")
    if item_type and item_type not in ItemType.values:
        errors["type"] = (
            f"事项类型代码“{item_type}”无效，可选：" + "、".join(
                f"{c} {lbl}" for c, lbl in ItemType.choices) + "。"
        )
    level = text("level")
    if level and level not in IMPLEMENTATION_LEVELS:
        errors["level"] = (
            "行使层级（level）应为 1–6：1 国家级、2 省级、3 市级、4 县级、5 镇级、6 村级。"
        )
    theme = None
    theme_id = text("theme")
    if theme_id:
        if not is_digits(theme_id):
            errors["theme"] = "主题（theme）应为主题编号（正整数）。"
        else:
            theme = Theme.objects.filter(pk=int(theme_id)).first()
            if theme is None:
                errors["theme"] = f"没有编号为 {theme_id} 的主题。"
    service_object = text("service_object")
    if service_object and service_object not in {c for c, _ in ServiceObject._meta.get_field(
            "code").choices}:
        errors["service_object"] = "服务对象代码无效，可选：1 自然人、2 企业法人、3 事业法人、" \
            "4 社会组织法人、5 行政机关、6 其他组织。"
    q = text("q")
    if len(q) > search.MAX_QUERY_LENGTH:
        errors["q"] = f"搜索词不能超过 {search.MAX_QUERY_LENGTH} 个字。"
    status = text("status")
    if status:
        if not allow_status:
            errors["status"] = "不支持按状态筛选。"
        elif status not in {*ImplementationStatus.values, "DRAFT"}:
            errors["status"] = "状态应为 ACTIVE、SUSPENDED、CANCELLED 或 DRAFT。"
    unknown = sorted(set(raw) - set(FILTER_NAMES) - {"cursor", "limit", "page"})
    for name in unknown:
        errors[name] = "不支持的筛选条件。"
    if errors:
        raise InvalidFilter(f"筛选条件有误：{next(iter(errors.values()))}", details=errors)
    return ItemFilters(organisation=organisation, item_type=item_type, level=level, theme=theme,
                       service_object=service_object, q=q, status=status)


def parse_limit(value: Any, default: int = DEFAULT_LIMIT) -> int:
    if value in (None, ""):
        return default
    text = str(value).strip()
    if not is_digits(text) or not 1 <= int(text) <= MAX_LIMIT:
        message = f"每页条数（limit）应为 1 到 {MAX_LIMIT} 之间的整数。"
        raise InvalidFilter(message, details={"limit": message})
    return int(text)


def _apply_filters(qs, filters: ItemFilters):
    # Subqueries rather than joins: the organisation subtree and a theme's versions are
    # small sets the database resolves first, then it uses the implementation indexes
    # (a LIKE on the joined path would scan every implementation on SQLite).
    if filters.organisation is not None:
        subtree = Organisation.objects.filter(path__startswith=filters.organisation.path)
        qs = qs.filter(organisation_id__in=subtree.values("pk"))
    if filters.item_type:
        qs = qs.filter(entry__item_type=filters.item_type)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.theme is not None:
        tagged = ImplementationVersion.themes.through.objects.filter(theme_id=filters.theme.pk)
        qs = qs.filter(current_version_id__in=tagged.values("implementationversion_id"))
    if filters.service_object:
        qs = qs.filter(current_version__service_objects__code=filters.service_object)
    return qs


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
        online_depth=code_label(OnlineDepth, version.online_depth) if version else None,
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


# --- one item ---------------------------------------------------------------------------


def _with_content(qs):
    return qs.prefetch_related(
        "service_objects", "themes", Prefetch("materials", Material.objects.order_by("position"))
    )


def _implementation(code: str) -> Implementation:
    code = parse_code(code)
    implementation = (
        Implementation.objects.select_related("organisation", "entry").filter(code=code).first()
    )
    if implementation is None:
        raise ItemNotFound(f"没有找到实施编码为 {code} 的事项。", details={"code": code})
    return implementation


def implementation_get(*, code: str, version: int | str | None = None) -> ImplementationVersion:
    """The current published version of an item (or published/superseded ``version``),
    with implementation, organisation, entry, service objects, themes and materials
    loaded. Malformed codes raise ``InvalidCode`` (422), unknown ones ``ItemNotFound``."""
    implementation = _implementation(code)
    versions = _with_content(ImplementationVersion.objects.filter(
        implementation=implementation, status__in=PUBLIC_VERSION_STATUSES))
    if version in (None, ""):
        if implementation.current_version_id is None:
            raise ItemNotFound("该事项尚未发布。", details={"code": implementation.code})
        found = versions.filter(pk=implementation.current_version_id).first()
    else:
        text = str(version).strip()
        if not is_digits(text) or int(text) < 1:
            message = "版本号（version）应为正整数。"
            raise InvalidFilter(message, details={"version": message})
        found = versions.filter(number=int(text)).first()
    if found is None:
        raise VersionNotFound(f"该事项没有第 {version} 版。", details={"version": version})
    found.implementation = implementation
    return found


def guide(*, code: str, version: int | str | None = None) -> Guide:
    """The 办事指南 of an item's current (or given) published version."""
    return build_guide(implementation_get(code=code, version=version))


def guide_of(version: ImplementationVersion) -> Guide:
    """The guide of an already loaded version (e.g. a draft preview for staff)."""
    return build_guide(version)


# URL word → material element (the addresses read better with hyphens).
MATERIAL_FILE_KINDS = {"blank-form": ("blank_form", "空白表格"),
                       "sample": ("sample_file", "示例样表")}


@dataclass(frozen=True)
class MaterialFile:
    file: Any  # a FieldFile, opened by the caller
    filename: str  # what the download is saved as: 材料名-空白表格.pdf
    content_type: str


def material_file(*, code: str, version: int | str, position: int, kind: str,
                  actor=None) -> MaterialFile:
    """The blank form or sample of material ``position`` of a version: any published or
    superseded version for everybody, the draft too for staff who may see drafts.
    Anything else, or a material without that file, raises ``FileNotFound``."""
    if kind not in MATERIAL_FILE_KINDS:
        raise FileNotFound("没有这种材料文件。", details={"kind": kind})
    field_name, label = MATERIAL_FILE_KINDS[kind]
    implementation = _implementation(code)
    text = str(version).strip()
    if not is_digits(text) or int(text) < 1:
        message = "版本号（version）应为正整数。"
        raise InvalidFilter(message, details={"version": message})
    statuses = list(PUBLIC_VERSION_STATUSES)
    if actor is not None and getattr(actor, "is_authenticated", False) and \
            perms.can_on_implementation(actor=actor, action=perms.VIEW_DRAFTS,
                                        implementation=implementation):
        statuses.append(VersionStatus.DRAFT)
    material = Material.objects.filter(
        version__implementation=implementation, version__number=int(text),
        version__status__in=statuses, position=position,
    ).first()
    stored = getattr(material, field_name, None) if material else None
    if not stored or not stored.storage.exists(stored.name):
        raise FileNotFound(f"该材料没有{label}。", details={"position": position})
    extension = PurePath(stored.name).suffix.lower()
    safe_name = "".join(c for c in material.name if c not in '\\/:*?"<>|')[:80].strip()
    return MaterialFile(file=stored, filename=f"{safe_name or '材料'}-{label}{extension}",
                        content_type=content_type_of(stored.name))


@dataclass(frozen=True)
class VersionSummary:
    number: int
    status: CodeLabel
    valid_from: Any
    valid_to: Any
    published_at: Any
    change_reason: str
    content_hash: str
    is_current: bool


def implementation_versions(*, code: str, actor=None) -> list[VersionSummary]:
    """Versions newest first: published and superseded ones for everybody; the draft too
    when ``actor`` may see drafts of this item."""
    implementation = _implementation(code)
    statuses = list(PUBLIC_VERSION_STATUSES)
    if actor is not None and perms.can_on_implementation(
        actor=actor, action=perms.VIEW_DRAFTS, implementation=implementation
    ):
        statuses.append(VersionStatus.DRAFT)
    rows = ImplementationVersion.objects.filter(
        implementation=implementation, status__in=statuses
    ).order_by("-number").only("number", "status", "valid_from", "valid_to", "published_at",
                               "change_reason", "content_hash")
    result = [
        VersionSummary(
            number=v.number, status=code_label(VersionStatus, v.status), valid_from=v.valid_from,
            valid_to=v.valid_to, published_at=v.published_at, change_reason=v.change_reason,
            content_hash=v.content_hash, is_current=v.pk == implementation.current_version_id,
        )
        for v in rows
    ]
    if not result:
        raise ItemNotFound("该事项尚未发布。", details={"code": implementation.code})
    return result


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


def item_for_edit(*, actor, code: str) -> EditView:
    """The item with its current version, open draft, form initial values, the allowed
    lifecycle operations and the history; 404 outside the actor's scope."""
    implementation = _implementation(code)
    if not perms.can_edit_item(actor=actor, implementation=implementation):
        raise ItemNotFound(f"没有找到实施编码为 {implementation.code} 的事项。")
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
        actions=item_actions(actor=actor, code=implementation.code),
    )


def item_actions(*, actor, code: str) -> list[ActionView]:
    """The 新增/变更/暂停/恢复/取消 history of an item, oldest first."""
    implementation = _implementation(code)
    if not perms.can_edit_item(actor=actor, implementation=implementation):
        raise ItemNotFound(f"没有找到实施编码为 {implementation.code} 的事项。")
    rows = (
        ImplementationAction.objects.filter(implementation=implementation)
        .select_related("actor", "version").order_by("occurred_at", "id")
    )
    return [
        ActionView(
            operation=code_label(Operation, a.operation),
            from_status=a.from_status, to_status=a.to_status,
            version=a.version.number if a.version else None, reason=a.reason,
            actor=str(a.actor) if a.actor else "系统", occurred_at=a.occurred_at,
        )
        for a in rows
    ]


# --- browsing facets --------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    key: str  # the filter value (organisation id, theme id, code)
    label: str
    count: int


def _public_implementations():
    return Implementation.objects.filter(status=ImplementationStatus.ACTIVE,
                                         current_version__isnull=False)


def department_facets(*, root: Organisation | None = None) -> list[Facet]:
    """Implementing organisations (部门) with their number of published active items."""
    qs = _public_implementations()
    if root is not None:
        qs = qs.filter(organisation__path__startswith=root.path)
    rows = qs.values("organisation_id", "organisation__name").annotate(n=Count("id")).order_by(
        "-n", "organisation__name")
    return [Facet(str(r["organisation_id"]), r["organisation__name"], r["n"]) for r in rows]


def theme_facets(*, audience: str | None = None) -> list[Facet]:
    themes = Theme.objects.filter(is_active=True)
    if audience:
        themes = themes.filter(audience=audience)
    counts = dict(
        _public_implementations().filter(current_version__themes__in=themes)
        .values_list("current_version__themes").annotate(n=Count("id")).order_by()
    )
    return [Facet(str(t.pk), t.name, counts.get(t.pk, 0)) for t in themes]


def service_object_facets() -> list[Facet]:
    counts = dict(
        _public_implementations().values_list("current_version__service_objects__code")
        .annotate(n=Count("id")).order_by()
    )
    return [Facet(o.code, o.name, counts.get(o.code, 0)) for o in ServiceObject.objects.all()]


def item_type_facets() -> list[Facet]:
    counts = dict(
        _public_implementations().values_list("entry__item_type").annotate(n=Count("id"))
        .order_by()
    )
    return [Facet(code, lbl, counts.get(code, 0)) for code, lbl in ItemType.choices]


def entry_get(*, basic_code: str) -> CatalogEntry:
    entry = CatalogEntry.objects.filter(basic_code=(basic_code or "").strip()).first()
    if entry is None:
        raise EntryNotFound("没有找到该基本目录。", details={"basic_code": basic_code})
    return entry


def level_label(level: str) -> str:
    return label(ExerciseLevel, level)

