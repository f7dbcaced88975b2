"""Writes of implementations (实施清单) and their versions.

Lifecycle of an implementation (one table, one ``transition``, DESIGN rule 2)::

    新增 CREATE   first publication          ACTIVE             → ACTIVE
    变更 CHANGE   publish a new version      ACTIVE, SUSPENDED  → (unchanged)
    暂停 SUSPEND                             ACTIVE             → SUSPENDED
    恢复 RESUME                              SUSPENDED          → ACTIVE
    取消 CANCEL                              ACTIVE, SUSPENDED  → CANCELLED (final)
    进驻调整 HALL  on/off the 进驻负面清单     ACTIVE, SUSPENDED  → (unchanged)

Versions: ``item_create`` makes version 1 as a DRAFT; ``item_draft_update`` edits the
open draft or opens one copied from the published version; ``item_publish`` turns the
draft into the PUBLISHED version and the old one into SUPERSEDED (valid_to = now). A
published version is never edited in place.

``actor=None`` is the system (command-line importers); see catalog.permissions.
"""


import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.common.text import StrOrPromise
from onewindow.identity.models import Organisation

from .. import permissions as perms
from ..codes import ImplementationStatus, Operation, VersionStatus
from ..elements import content_hash, elements_of, validate_elements
from ..errors import (
    ElementsInvalid,
    InvalidTransition,
    ItemExists,
    NoChanges,
    NoDraft,
    OrganisationNotFound,
)
from ..lifecycle import LIFECYCLE, PUBLISH, SUBJECT_TYPE, SUPERSEDE, transition, version_move
from ..models import CatalogEntry, Implementation, ImplementationVersion
from ..validators import implementation_code_problem, normalize_code
from ._base import (
    account_or_none,
    current_of,
    diff,
    draft_of,
    event_payload,
    lock_implementation,
    require_reason,
    resolve_themes,
    write_version_content,
)
from .forms import form_problems

Status = ImplementationStatus

def compose_code(*, credit_code: str, level: str, basic_code: str, handling_item: str = "") -> str:
    return f"{credit_code}{level}{basic_code}{handling_item}"


@transaction.atomic(durable=True)
def item_create(
    *, actor: Actor | None, organisation: Organisation | None, basic_code: str,
    elements: Mapping[str, Any], level: str | None = None, handling_item: str = "",
    in_hall: bool = True, not_in_hall_reason: str = "", now: dt.datetime,
) -> Implementation:
    """新增: a new implementation of ``basic_code`` by ``organisation`` with version 1 as a
    DRAFT (publish it with ``item_publish``). The 实施编码 is composed from the
    organisation's credit code, the level (default: the organisation's) and the 基本编码."""
    return item_create_inner(
        actor=actor, organisation=organisation, basic_code=basic_code, elements=elements,
        level=level, handling_item=handling_item, in_hall=in_hall,
        not_in_hall_reason=not_in_hall_reason, now=now,
    )


def item_create_inner(
    *, actor: Actor | None, organisation: Organisation | None, basic_code: str,
    elements: Mapping[str, Any], level: str | None = None, handling_item: str = "",
    in_hall: bool = True, not_in_hall_reason: str = "", now: dt.datetime,
) -> Implementation:
    """The body of ``item_create``, in the caller's transaction (the Excel import)."""
    if organisation is None or not perms.can_on_organisation(
        actor=actor, action=perms.EDIT_ITEM, organisation=organisation
    ):
        message = _("没有找到该实施主体。")
        raise OrganisationNotFound(message, details={"organisation": message})
    errors: dict[str, StrOrPromise] = {}
    if not organisation.credit_code:
        errors["organisation"] = _("实施主体没有统一社会信用代码，无法生成实施编码。")
    level = str(level or organisation.level)
    code = compose_code(credit_code=organisation.credit_code or "", level=level,
                        basic_code=normalize_code(basic_code), handling_item=handling_item)
    if not errors:
        problem = implementation_code_problem(code)
        if problem:
            errors["code"] = problem
    entry = CatalogEntry.objects.filter(basic_code=normalize_code(basic_code)).first()
    if entry is None:
        errors["basic_code"] = _("基本目录中没有这个基本编码，请先维护基本目录。")
    if not in_hall and not (not_in_hall_reason or "").strip():
        errors["not_in_hall_reason"] = _("不进驻大厅的事项须写明理由（进驻负面清单）。")
    try:
        elements = validate_elements(elements)
        themes = resolve_themes(elements["themes"])
    except ElementsInvalid as exc:
        errors = {**exc.details, **errors}
    if errors or entry is None:
        raise ElementsInvalid(
            _("事项要素有误：%(errors)s") % {"errors": next(iter(errors.values()))}, details=errors
        )
    if Implementation.objects.filter(code=code).exists():
        raise ItemExists(_("该实施编码已存在。"), details={"code": _("该实施编码已存在。")})
    implementation = Implementation.objects.create(
        code=code, entry=entry, organisation=organisation, level=level,
        status=Status.ACTIVE, in_hall=in_hall,
        not_in_hall_reason="" if in_hall else not_in_hall_reason.strip(),
        created_at=now, updated_at=now,
    )
    version = ImplementationVersion(
        implementation=implementation, number=1, status=VersionStatus.DRAFT, created_at=now,
        created_by=account_or_none(actor),
    )
    write_version_content(version, elements, entry=entry, themes=themes)
    audit_record(
        actor=actor, action="catalog.item.created", subject_type=SUBJECT_TYPE, subject_id=code,
        after={"organisation": organisation.pk, "basic_code": entry.basic_code, "level": level,
               "version": 1, "content_hash": version.content_hash},
        now=now,
    )
    return implementation


@transaction.atomic(durable=True)
def item_draft_update(
    *, actor: Actor | None, implementation: Implementation, changes: Mapping[str, Any],
    reason: str = "", now: dt.datetime,
) -> ImplementationVersion:
    """Save changes into the item's DRAFT, opening one (copied from the published
    version, next number) if there is none. ``changes`` holds only the elements to change
    (``materials``, ``fees`` and ``special_procedures`` are replaced as whole lists).
    Invalid changes raise ``ElementsInvalid`` and write nothing."""
    return item_draft_update_inner(actor=actor, implementation=implementation,
                                   changes=changes, reason=reason, now=now)


def item_draft_update_inner(
    *, actor: Actor | None, implementation: Implementation, changes: Mapping[str, Any],
    reason: str = "", now: dt.datetime,
) -> ImplementationVersion:
    """The body of ``item_draft_update``, in the caller's transaction (the Excel import)."""
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=perms.EDIT_ITEM)
    if implementation.status == Status.CANCELLED:
        raise InvalidTransition(
            _("已取消的事项不能修改。"), details={"status": implementation.status}
        )
    draft = draft_of(implementation)
    current = current_of(implementation)
    base = elements_of(draft or current)
    merged = {**base, **dict(changes)}
    elements = validate_elements(merged)
    themes = resolve_themes(elements["themes"])
    new_hash = content_hash(elements)
    if draft is None:
        if current is not None and current.content_hash == new_hash:
            raise NoChanges(_("内容没有变化，无需新建版本。"))
        number = (implementation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ImplementationVersion(
            implementation=implementation, number=number, status=VersionStatus.DRAFT,
            created_at=now, created_by=account_or_none(actor),
        )
        before_elements = base
    else:
        before_elements = base
        if draft.content_hash == new_hash and not reason:
            return draft
    draft.change_reason = (reason or "").strip()
    write_version_content(draft, elements, entry=implementation.entry, themes=themes)
    before, after = diff(before_elements, elements)
    audit_record(
        actor=actor, action="catalog.item.draft_saved", subject_type=SUBJECT_TYPE,
        subject_id=implementation.code, before=before,
        after={**after, "version": draft.number, "content_hash": draft.content_hash}, now=now,
    )
    return draft


@transaction.atomic(durable=True)
def item_draft_discard(*, actor: Actor | None, implementation: Implementation, reason: str,
                       now: dt.datetime) -> None:
    """Throw away the open draft (a first draft cannot be discarded: cancel the item)."""
    reason = require_reason(reason)
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=perms.EDIT_ITEM)
    draft = draft_of(implementation)
    if draft is None:
        raise NoDraft(_("没有待发布的草稿。"))
    if implementation.current_version_id is None:
        raise InvalidTransition(_("事项尚未发布，不能放弃唯一的草稿。"))
    number, old_hash = draft.number, draft.content_hash
    draft.materials.all().delete()
    draft.service_objects.clear()
    draft.themes.clear()
    ImplementationVersion.objects.filter(pk=draft.pk).delete()
    audit_record(
        actor=actor, action="catalog.item.draft_discarded", subject_type=SUBJECT_TYPE,
        subject_id=implementation.code,
        before={"version": number, "content_hash": old_hash}, after={"reason": reason}, now=now,
    )


@transaction.atomic(durable=True)
def item_publish(
    *, actor: Actor | None, implementation: Implementation, reason: str,
    valid_to: dt.datetime | None = None, now: dt.datetime,
) -> ImplementationVersion:
    """新增 (first version) or 变更: the DRAFT becomes the PUBLISHED version from ``now``;
    the previous one becomes SUPERSEDED with valid_to = now. ``valid_to`` optionally
    ends the new version's validity."""
    return item_publish_inner(actor=actor, implementation=implementation, reason=reason,
                              valid_to=valid_to, now=now)


def item_publish_inner(
    *, actor: Actor | None, implementation: Implementation, reason: str,
    valid_to: dt.datetime | None = None, now: dt.datetime,
) -> ImplementationVersion:
    """The body of ``item_publish``, in the caller's transaction (the Excel import)."""
    reason = require_reason(reason)
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=perms.PUBLISH_ITEM)
    if valid_to is not None and valid_to <= now:
        message = _("失效时间应晚于发布时间。")
        raise ElementsInvalid(message, details={"valid_to": message})
    draft = (
        ImplementationVersion.objects.filter(implementation=implementation,
                                             status=VersionStatus.DRAFT).first()
    )
    if draft is None:
        raise NoDraft(_("没有待发布的草稿，请先编辑事项。"))
    _check_form(draft)
    previous = (
        ImplementationVersion.objects.filter(pk=implementation.current_version_id).first()
        if implementation.current_version_id else None
    )
    operation = Operation.CHANGE if previous else Operation.CREATE
    if not LIFECYCLE.can(implementation, operation):
        raise InvalidTransition(
            _("事项当前状态为“%(implementation_status)s”，不能发布。")
            % {"implementation_status": _(implementation.get_status_display())},
            details={"status": implementation.status},
        )
    if previous and previous.content_hash == draft.content_hash:
        raise NoChanges(_("草稿与当前发布版本内容相同，无需发布。"))
    if previous and previous.valid_from and now < previous.valid_from:
        # The superseded version would end before it began; versions never overlap.
        raise InvalidTransition(
            _("新版本的生效时间不能早于当前版本的生效时间（%(previous_valid_from)s）。")
            % {
                "previous_valid_from": format(
                    timezone.localtime(previous.valid_from), "%Y-%m-%d %H:%M"
                )
            },
            details={"current_valid_from": previous.valid_from.isoformat()},
        )
    if previous:
        version_move(previous, SUPERSEDE, now=now, fields={"valid_to": now})
    version_move(draft, PUBLISH, now=now, fields={
        "valid_from": now, "valid_to": valid_to, "published_at": now,
        "published_by": account_or_none(actor), "change_reason": reason})
    draft.refresh_from_db()
    transition(
        implementation, operation, actor=actor, reason=reason, now=now, version=draft,
        fields={"current_version": draft},
        before={"version": previous.number if previous else None,
                "content_hash": previous.content_hash if previous else None},
        after={"version": draft.number, "content_hash": draft.content_hash},
        payload=event_payload(implementation, draft, operation, previous),
    )
    return draft


def _check_form(draft: ImplementationVersion) -> None:
    """A published form never changes under a case, so it is checked before it is
    published: unique keys, known types, code tables and sources, conditions that parse."""
    problem = form_problems(draft.form, partial=False)
    if problem is not None:
        raise problem


def _status_change(*, actor: Actor | None, implementation: Implementation, reason: str,
                   now: dt.datetime, operation: str, action: str) -> Implementation:
    reason = require_reason(reason)
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=action)
    if operation in (Operation.SUSPEND, Operation.RESUME) and not implementation.current_version_id:
        raise InvalidTransition(_("事项尚未发布，不能暂停或恢复。"))
    if operation == Operation.CANCEL and implementation.current_version_id:
        # The guide stays readable for cases submitted under it; it is no longer valid.
        ImplementationVersion.objects.filter(
            pk=implementation.current_version_id, valid_to__isnull=True
        ).update(valid_to=now)
    transition(implementation, operation, actor=actor, reason=reason, now=now,
               version=implementation.current_version)
    return implementation


@transaction.atomic(durable=True)
def item_suspend(*, actor: Actor | None, implementation: Implementation, reason: str,
                 now: dt.datetime) -> Implementation:
    """暂停: the item stops accepting applications until resumed."""
    return _status_change(actor=actor, implementation=implementation, reason=reason, now=now,
                          operation=Operation.SUSPEND, action=perms.SUSPEND_ITEM)


@transaction.atomic(durable=True)
def item_resume(*, actor: Actor | None, implementation: Implementation, reason: str,
                now: dt.datetime) -> Implementation:
    """恢复 a suspended item."""
    return _status_change(actor=actor, implementation=implementation, reason=reason, now=now,
                          operation=Operation.RESUME, action=perms.SUSPEND_ITEM)


@transaction.atomic(durable=True)
def item_cancel(*, actor: Actor | None, implementation: Implementation, reason: str,
                now: dt.datetime) -> Implementation:
    """取消: final. Published versions stay readable for the cases that used them."""
    return _status_change(actor=actor, implementation=implementation, reason=reason, now=now,
                          operation=Operation.CANCEL, action=perms.CANCEL_ITEM)


@transaction.atomic(durable=True)
def item_set_hall(*, actor: Actor | None, implementation: Implementation, in_hall: bool,
                  reason: str, now: dt.datetime) -> Implementation:
    """Put an item on (in_hall=False) or take it off the 进驻负面清单, with a reason."""
    reason = require_reason(reason)
    implementation = lock_implementation(actor=actor, implementation=implementation,
                                         action=perms.MANAGE_HALL)
    if implementation.in_hall == in_hall:
        raise NoChanges(_("进驻状态没有变化。"))
    before = {"in_hall": implementation.in_hall,
              "not_in_hall_reason": implementation.not_in_hall_reason}
    not_in_hall_reason = "" if in_hall else reason
    transition(
        implementation, Operation.HALL, actor=actor, reason=reason, now=now,
        version=implementation.current_version, before=before,
        fields={"in_hall": in_hall, "not_in_hall_reason": not_in_hall_reason},
        after={"in_hall": in_hall, "not_in_hall_reason": not_in_hall_reason},
        payload={"in_hall": in_hall, "reason": reason},
    )
    return implementation
