"""The chief's correction of the licence draft at 决定 (issue 13): one field, a new value
and a reason, logged as a LICENCE_CORRECT action (with its audit row) that the draft and
the issued licence then carry (cases.licence_draft)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor
from onewindow.common.errors import ApplicationError
from onewindow.identity.models import Role
from onewindow.licences import services as licence_services
from onewindow.workflow import permissions as workflow_permissions
from onewindow.workflow import services as workflow_services
from onewindow.workflow.models import WorkItem

from .. import deadlines, lifecycle
from ..codes import SUBJECT_TYPE, ActionKind
from ..errors import CaseNotFound, LicenceDraftInvalid
from ..licence_draft import licence_draft
from ..models import Case
from ._common import lock_case, require_reason

K = ActionKind


def deciding_item(actor: Actor, rows: list[WorkItem]) -> WorkItem | None:
    """The READY 决定 step of the case the actor may work on, if any."""
    return next((row for row in rows if row.status == WorkItem.Status.READY
                 and row.role == Role.CHIEF_REPRESENTATIVE
                 and workflow_permissions.can_work_on(actor=actor, work_item=row)), None)


@transaction.atomic(durable=True)
def licence_draft_correct(*, actor: Actor, case: Case, field: str, value: Any, reason: str,
                          expected_version: int | None = None, now: dt.datetime) -> Case:
    """The chief at 决定 corrects one field of the licence draft. Only the chief
    representative who may work on the case's open 决定 step (else ``cases.not-found``);
    an unknown field or a value the licence type refuses: ``cases.licence-draft-invalid``
    (422, ``details`` names ``field`` or ``value``); no reason: 422; a stale page
    (``expected_version``): 409. Nothing is written on any of them."""
    rows = workflow_services.work_items_lock(subject_type=SUBJECT_TYPE, subject_id=str(case.pk))
    if deciding_item(actor, rows) is None:
        raise CaseNotFound(_("没有找到该办件的决定环节。"))
    locked = lock_case(case)
    lifecycle.check(locked, K.LICENCE_CORRECT, expected_version=expected_version)
    draft = licence_draft(locked, on_date=deadlines.local_date(now))
    if draft is None:
        message = _("该事项不产生证照，没有证照草稿。")
        raise LicenceDraftInvalid(message, details={"field": message})
    current = draft.field(str(field or ""))
    if current is None:
        message = _("证照“%(type)s”没有字段 %(field)s。") % {"type": draft.licence_type.name,
                                                          "field": field}
        raise LicenceDraftInvalid(message, details={"field": message})
    spec = next(s for s in draft.licence_type.field_schema if s["name"] == current.name)
    if value is None or (isinstance(value, str) and not value.strip()):
        message = _("请填写更正后的%(label)s。") % {"label": current.label}
        raise LicenceDraftInvalid(message, details={"value": message})
    try:
        cleaned = licence_services.clean_fields([spec], {current.name: value})[current.name]
    except ApplicationError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        message = str(details.get(current.name) or exc.message)
        raise LicenceDraftInvalid(message, details={"value": message}) from exc
    reason = require_reason(reason, field="reason", label=_("更正理由"))
    if cleaned == current.value:
        message = _("更正后的值与草稿相同。")
        raise LicenceDraftInvalid(message, details={"value": message})
    lifecycle.transition(
        locked, K.LICENCE_CORRECT, actor=actor, now=now, expected_version=expected_version,
        data={"field": current.name, "label": current.label, "before": current.value,
              "value": cleaned, "reason": reason, "licence_type": draft.licence_type.code},
    )
    return locked
