"""Writes of the base catalog (基本目录) and the browsing tables."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor

from .. import permissions as perms
from ..codes import ExerciseLevel, ItemType, ThemeAudience
from ..errors import ElementsInvalid, EntryNotFound
from ..models import CatalogEntry, Theme
from ..validators import basic_code_problem, normalize_code
from ._base import diff


@transaction.atomic(durable=True)
def entry_upsert(
    *, actor: Actor | None, basic_code: str, name: str, item_type: str,
    exercise_level: str = ExerciseLevel.PROVINCE, legal_basis: str = "",
    main_item_code: str = "", main_item_name: str = "", now: dt.datetime,
) -> CatalogEntry:
    """Create or change a base catalog entry (基本目录); changes are audited."""
    if not perms.can_manage_entries(actor=actor):
        raise EntryNotFound(_("没有找到该基本目录。"), details={"basic_code": basic_code})
    return entry_upsert_inner(
        actor=actor, basic_code=basic_code, name=name, item_type=item_type,
        exercise_level=exercise_level, legal_basis=legal_basis, main_item_code=main_item_code,
        main_item_name=main_item_name, now=now,
    )


def entry_upsert_inner(
    *, actor: Actor | None, basic_code: str, name: str, item_type: str, exercise_level: str,
    legal_basis: str = "", main_item_code: str = "", main_item_name: str = "",
    now: dt.datetime,
) -> CatalogEntry:
    """The body of ``entry_upsert``, in the caller's transaction (the Excel import)."""
    basic_code = normalize_code(basic_code)
    errors = {}
    problem = basic_code_problem(basic_code)
    if problem:
        errors["basic_code"] = problem
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("请填写事项名称。")
    elif len(name) > 200:
        errors["name"] = _("事项名称不能超过 200 个字。")
    if item_type not in ItemType.values:
        errors["item_type"] = _("事项类型代码无效（见 GB/T 39046 A.1）。")
    if exercise_level not in ExerciseLevel.values:
        errors["exercise_level"] = _("行使层级代码无效（1–7）。")
    if errors:
        raise ElementsInvalid(
            _("基本目录有误：%(errors)s") % {"errors": next(iter(errors.values()))}, details=errors
        )
    values = {"name": name, "item_type": item_type, "exercise_level": exercise_level,
              "legal_basis": (legal_basis or "").strip(), "main_item_code": main_item_code,
              "main_item_name": main_item_name}
    entry = CatalogEntry.objects.select_for_update().filter(basic_code=basic_code).first()
    if entry is None:
        entry = CatalogEntry.objects.create(basic_code=basic_code, created_at=now,
                                            updated_at=now, **values)
        audit_record(actor=actor, action="catalog.entry.created", subject_type="catalog.entry",
                     subject_id=basic_code, after=values, now=now)
        return entry
    old = {key: getattr(entry, key) for key in values}
    before, after = diff(old, values)
    if after:
        for key, value in after.items():
            setattr(entry, key, value)
        entry.updated_at = now
        entry.save()
        audit_record(actor=actor, action="catalog.entry.changed", subject_type="catalog.entry",
                     subject_id=basic_code, before=before, after=after, now=now)
    return entry


@transaction.atomic(durable=True)
def theme_create(*, actor: Actor | None, name: str, audience: str = ThemeAudience.GENERAL,
                 sort_order: int = 0, now: dt.datetime) -> Theme:
    if not perms.can_manage_entries(actor=actor):
        raise EntryNotFound(_("没有权限管理主题。"))
    name = " ".join((name or "").split())
    errors = {}
    if not name or len(name) > 60:
        errors["name"] = _("主题名称应为 1 到 60 个字。")
    elif Theme.objects.filter(name=name).exists():
        errors["name"] = _("已有同名主题。")
    if audience not in ThemeAudience.values:
        errors["audience"] = _("面向对象无效。")
    if errors:
        raise ElementsInvalid(next(iter(errors.values())), details=errors)
    theme = Theme.objects.create(name=name, audience=audience, sort_order=sort_order)
    audit_record(actor=actor, action="catalog.theme.created", subject_type="catalog.theme",
                 subject_id=str(theme.pk), after={"name": name, "audience": audience}, now=now)
    return theme
