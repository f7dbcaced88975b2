"""One item: its current or a given published version, its guide, its material files
and its versions."""

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from onewindow.common.ids import is_digits

from .. import permissions as perms
from ..codes import (
    VersionStatus,
)
from ..errors import FileNotFound, InvalidFilter, ItemNotFound, VersionNotFound
from ..forms import FormDefinition, definition_for
from ..guides import CodeLabel, Guide, build_guide, code_label
from ..material_files import BY_SLUG, content_type_of
from ..models import (
    Implementation,
    ImplementationVersion,
    Material,
)
from ..validators import parse_code
from .filters import PUBLIC_VERSION_STATUSES

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
        raise ItemNotFound(
            _("没有找到实施编码为 %(code)s 的事项。") % {"code": code}, details={"code": code}
        )
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
            raise ItemNotFound(_("该事项尚未发布。"), details={"code": implementation.code})
        found = versions.filter(pk=implementation.current_version_id).first()
    else:
        text = str(version).strip()
        if not is_digits(text) or int(text) < 1:
            message = _("版本号（version）应为正整数。")
            raise InvalidFilter(message, details={"version": message})
        found = versions.filter(number=int(text)).first()
    if found is None:
        raise VersionNotFound(
            _("该事项没有第 %(version)s 版。") % {"version": version}, details={"version": version}
        )
    found.implementation = implementation
    return found


@dataclass(frozen=True)
class ItemForm:
    code: str
    name: str
    version: int
    definition: FormDefinition


def item_form(*, code: str, version: int | str | None = None) -> ItemForm:
    """The application form (ADR 0031) of an item's current (or given) published version:
    its own, or the generic one built from its materials."""
    found = implementation_get(code=code, version=version)
    return ItemForm(code=found.implementation.code, name=found.name, version=found.number,
                    definition=definition_for(found))


def guide(*, code: str, version: int | str | None = None) -> Guide:
    """The 办事指南 of an item's current (or given) published version."""
    return build_guide(implementation_get(code=code, version=version))


def guide_of(version: ImplementationVersion) -> Guide:
    """The guide of an already loaded version (e.g. a draft preview for staff)."""
    return build_guide(version)


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
    file_kind = BY_SLUG.get(kind)
    if file_kind is None:
        raise FileNotFound(_("没有这种材料文件。"), details={"kind": kind})
    field_name, label = file_kind.element, file_kind.label
    implementation = _implementation(code)
    text = str(version).strip()
    if not is_digits(text) or int(text) < 1:
        message = _("版本号（version）应为正整数。")
        raise InvalidFilter(message, details={"version": message})
    statuses: list[str] = list(PUBLIC_VERSION_STATUSES)
    if actor is not None and getattr(actor, "is_authenticated", False) and \
            perms.can_on_implementation(actor=actor, action=perms.VIEW_DRAFTS,
                                        implementation=implementation):
        statuses.append(VersionStatus.DRAFT)
    material = Material.objects.filter(
        version__implementation=implementation, version__number=int(text),
        version__status__in=statuses, position=position,
    ).first()
    stored = getattr(material, field_name, None) if material else None
    if material is None or not stored or not stored.storage.exists(stored.name):
        raise FileNotFound(
            _("该材料没有%(label)s。") % {"label": label}, details={"position": position}
        )
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
    statuses: list[str] = list(PUBLIC_VERSION_STATUSES)
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
        raise ItemNotFound(_("该事项尚未发布。"), details={"code": implementation.code})
    return result


