"""Helpers shared by the catalog services (not part of the public API)."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from onewindow.common.actors import Actor
from onewindow.common.lifecycle import account_or_none  # noqa: F401  for the services

from .. import permissions as perms
from ..codes import ServiceObjectCode, VersionStatus
from ..elements import SCALAR_FIELDS, content_hash
from ..errors import ElementsInvalid, ItemNotFound, ReasonRequired
from ..models import (
    CatalogEntry,
    Implementation,
    ImplementationVersion,
    Material,
    ServiceObject,
    Theme,
)
from ..search import index_text


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(
            gettext_lazy("请填写理由。"), details={"reason": gettext_lazy("请填写理由。")}
        )
    if len(reason) > 2000:
        message = gettext_lazy("理由不能超过 2000 个字。")
        raise ReasonRequired(message, details={"reason": message})
    return reason


def lock_implementation(*, actor: Actor | None, implementation: Implementation,
                        action: str) -> Implementation:
    """The implementation's row, re-read and locked for the rest of the transaction, if
    ``actor`` may still do ``action`` to it (else ``ItemNotFound``, 404).

    Callers resolve the item first (``selectors.access_implementation``, or an importer's
    own query); the service works on the locked row, never on the object it was given, so
    a page's access check and the service's cannot disagree silently, and a second writer
    waits and then sees the first one's result.
    """
    locked = (
        Implementation.objects.select_for_update(of=("self",))
        .select_related("organisation", "entry")
        .filter(pk=implementation.pk)
        .first()
    )
    if locked is None or not perms.can_on_implementation(
        actor=actor, action=action, implementation=locked
    ):
        raise ItemNotFound(gettext_lazy("没有找到该事项。"),
                           details={"code": implementation.code})
    return locked


def versions_with_content():
    return ImplementationVersion.objects.prefetch_related(
        "service_objects", "themes", Prefetch("materials", Material.objects.order_by("position"))
    )


def draft_of(implementation: Implementation) -> ImplementationVersion | None:
    return (
        versions_with_content()
        .filter(implementation=implementation, status=VersionStatus.DRAFT)
        .first()
    )


def current_of(implementation: Implementation) -> ImplementationVersion | None:
    if not implementation.current_version_id:
        return None
    return versions_with_content().get(pk=implementation.current_version_id)


def resolve_themes(names: list[str]) -> list[Theme]:
    themes = {t.name: t for t in Theme.objects.filter(name__in=names)}
    missing = [n for n in names if n not in themes]
    if missing:
        message = gettext_lazy("未知主题：%(missing)s。请先在主题管理中添加。") % {
            "missing": "、".join(missing)
        }
        raise ElementsInvalid(message, details={"themes": message})
    return [themes[n] for n in names]


def service_objects_for(codes: list[str]) -> list[ServiceObject]:
    """The rows of ``codes`` (already checked against the A.4 code table). A row missing
    from the seeded table is recreated from the code table rather than dropped, so an
    item never silently loses an audience it was saved with."""
    rows = {o.code: o for o in ServiceObject.objects.filter(code__in=codes)}
    labels = dict(ServiceObjectCode.choices)
    for code in codes:
        if code not in rows:
            rows[code], _ = ServiceObject.objects.get_or_create(
                code=code, defaults={"name": labels[code]}
            )
    return [rows[c] for c in codes]


def version_search_text(elements: Mapping[str, Any], entry: CatalogEntry) -> str:
    return index_text(elements["name"], elements["short_name"], elements["daily_name"],
                      entry.name)


def write_version_content(version: ImplementationVersion, elements: Mapping[str, Any], *,
                          entry: CatalogEntry, themes: list[Theme] | None = None) -> None:
    """Store validated ``elements`` into an unsaved or DRAFT ``version`` (materials
    replaced, many-to-many rows set)."""
    for key in SCALAR_FIELDS:
        setattr(version, key, elements[key])
    version.special_procedures = list(elements["special_procedures"])
    version.fees = list(elements["fees"])
    version.form = elements.get("form") or {}
    version.content_hash = content_hash(elements)
    version.search_text = version_search_text(elements, entry)
    version.save()
    version.service_objects.set(service_objects_for(elements["service_objects"]))
    version.themes.set(themes if themes is not None else resolve_themes(elements["themes"]))
    version.materials.all().delete()
    Material.objects.bulk_create(
        Material(version=version, position=index + 1, **material)
        for index, material in enumerate(elements["materials"])
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def event_payload(implementation, version, operation, previous) -> dict:
    return {"version": version.number, "operation": operation,
            "previous_version": previous.number if previous else None}



