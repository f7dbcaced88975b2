"""Writes of a version's application form (ADR 0031): the catalog admin's editor saves the
whole form into the item's DRAFT version, or copies another item's published form into it.

A published version never changes (a case keeps the form it was started with), so these
services refuse anything but a DRAFT with the catalog's ``VersionImmutable``; the admin
opens a draft first (``item_draft_open``). Every save is checked with
``catalog.forms.check_definition`` in its draft mode (a page or a repeating group may still
be empty while it is being built; publication checks in full) and refused as
``FormInvalid`` (422) whose details name each problem's place (``form.pages.0.fields.1.key``).
The version's content hash includes the form, so a changed form is a change to publish.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor

from .. import permissions as perms
from ..codes import ImplementationStatus, VersionStatus
from ..elements import content_hash, elements_of
from ..errors import (
    FormInvalid,
    InvalidTransition,
    ItemConflict,
    ItemNotFound,
    NoChanges,
    VersionImmutable,
)
from ..forms import check_definition
from ..lifecycle import SUBJECT_TYPE
from ..models import Implementation, ImplementationVersion
from ._base import (
    account_or_none,
    current_of,
    draft_of,
    lock_implementation,
    versions_with_content,
    write_version_content,
)

_PUBLIC = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def form_problems(form: Any, *, partial: bool) -> FormInvalid | None:
    """``FormInvalid`` naming every problem of ``form`` (None when there is none)."""
    problems = check_definition(form, partial=partial)
    if not problems:
        return None
    return FormInvalid(
        _("申请表单有误：%(where)s：%(problem)s")
        % {"where": problems[0].where, "problem": problems[0].message},
        details={f"form.{p.where}": p.message for p in problems},
    )


def _field_keys(form: Mapping[str, Any]) -> list[str]:
    keys = []
    for page in form.get("pages") or []:
        for field in page.get("fields") or []:
            keys.append(field.get("key"))
            keys.extend(m.get("key") for m in field.get("fields") or [])
    return keys


def _normalised(form: Any) -> Any:
    """A form without pages is no form (the version uses the generic one)."""
    if isinstance(form, Mapping) and not form.get("pages") and not form.get("rules"):
        return {}
    return form


def _save_form(*, actor: Actor | None, version: ImplementationVersion, form: Any,
               now: dt.datetime, action: str, base_hash: str = "",
               extra: Mapping[str, Any] | None = None) -> ImplementationVersion:
    """Lock the item and the version, refuse a published one (and, given ``base_hash``,
    one changed since the caller read it), check and store ``form``."""
    implementation = lock_implementation(actor=actor, implementation=version.implementation,
                                         action=perms.EDIT_ITEM)
    locked = (
        versions_with_content().select_for_update(of=("self",))
        .filter(pk=version.pk, implementation=implementation).first()
    )
    if locked is None:
        raise ItemNotFound(_("没有找到该事项。"), details={"code": implementation.code})
    if locked.status != VersionStatus.DRAFT:
        raise VersionImmutable(_("已发布的版本不能修改，请创建新版本。"),
                               details={"version": locked.number})
    if base_hash and locked.content_hash != base_hash:
        # Two admins on one draft: the second would silently undo the first one's change.
        raise ItemConflict(_("草稿已被他人修改，请看过最新的表单后再改。"),
                           details={"version": locked.number})
    form = _normalised(form)
    problem = form_problems(form, partial=True)
    if problem is not None:
        raise problem
    if (locked.form or {}) == form:
        return locked
    before = {"version": locked.number, "content_hash": locked.content_hash,
              "fields": _field_keys(locked.form or {})}
    elements = {**elements_of(locked), "form": form}
    locked.form = form
    locked.content_hash = content_hash(elements)
    locked.save(update_fields=["form", "content_hash"])
    audit_record(
        actor=actor, action=action, subject_type=SUBJECT_TYPE, subject_id=implementation.code,
        before=before,
        after={"version": locked.number, "content_hash": locked.content_hash,
               "fields": _field_keys(form), **(extra or {})},
        now=now,
    )
    locked.implementation = implementation
    return locked


@transaction.atomic(durable=True)
def version_form_set(*, actor: Actor | None, version: ImplementationVersion, form: Any,
                     now: dt.datetime, base_hash: str = "") -> ImplementationVersion:
    """Replace the application form of the DRAFT ``version`` with ``form`` (the whole
    definition; ``{}`` removes it, the version then uses the generic form). ``base_hash``
    is the draft's content hash the new form was built from: if the draft has changed
    since, ``ItemConflict`` (409) and nothing is written."""
    return _save_form(actor=actor, version=version, form=form, now=now,
                      action="catalog.item.form_saved", base_hash=base_hash)


@transaction.atomic(durable=True)
def version_form_copy(*, actor: Actor | None, version: ImplementationVersion,
                      source: ImplementationVersion, now: dt.datetime, base_hash: str = ""
                      ) -> ImplementationVersion:
    """Copy the form of ``source`` (another item's published version, which anyone may read
    in its guide) into the DRAFT ``version``. A source without a form of its own has
    nothing to copy."""
    found = (
        ImplementationVersion.objects.select_related("implementation")
        .filter(pk=source.pk, status__in=_PUBLIC).first()
    )
    if found is None:
        raise ItemNotFound(_("没有找到该事项。"), details={"source": str(source.pk)})
    if not found.form:
        message = _("该事项没有自己的申请表单，无可复制。")
        raise FormInvalid(message, details={"source": message})
    return _save_form(actor=actor, version=version, form=found.form, now=now,
                      action="catalog.item.form_copied", base_hash=base_hash,
                      extra={"source": found.implementation.code,
                             "source_version": found.number})


@transaction.atomic(durable=True)
def item_draft_open(*, actor: Actor | None, implementation: Implementation,
                    now: dt.datetime) -> ImplementationVersion:
    """The item's DRAFT, opened as a copy of the published version when there is none
    (the next number), so its form can be edited; the copy has no changes until one is
    saved (publishing it unchanged is refused as before)."""
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=perms.EDIT_ITEM)
    if implementation.status == ImplementationStatus.CANCELLED:
        raise InvalidTransition(_("已取消的事项不能修改。"),
                                details={"status": implementation.status})
    draft = draft_of(implementation)
    if draft is not None:
        draft.implementation = implementation
        return draft
    current = current_of(implementation)
    if current is None:
        raise NoChanges(_("事项没有可复制的发布版本。"))
    elements = elements_of(current)
    number = (implementation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ImplementationVersion(
        implementation=implementation, number=number,
        status=VersionStatus.DRAFT, created_at=now, created_by=account_or_none(actor),
    )
    write_version_content(draft, elements, entry=implementation.entry,
                          themes=list(current.themes.all()))
    audit_record(
        actor=actor, action="catalog.item.draft_opened", subject_type=SUBJECT_TYPE,
        subject_id=implementation.code,
        after={"version": draft.number, "from_version": current.number,
               "content_hash": draft.content_hash},
        now=now,
    )
    draft.implementation = implementation
    return draft
