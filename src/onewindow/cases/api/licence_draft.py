"""The licence draft at 决定 (issue 13): what the approval will issue, and the chief's
correction of one field with a reason (logged; the issued licence carries it)."""

import dataclasses

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.common.schemas import errors

from .. import permissions, selectors, services
from ..deadlines import local_date
from ..errors import CaseNotFound
from .base import router
from .schemas import LicenceDraftCorrectIn, LicenceDraftOut


def _draft_out(case, now) -> dict:
    draft = selectors.licence_draft(case, on_date=local_date(now))
    if draft is None:
        raise CaseNotFound(_("该事项不产生证照，没有证照草稿。"))
    return {"case_number": case.number or "", "licence_type_code": draft.licence_type.code,
            "licence_type_name": draft.licence_type.name, "holder_name": draft.holder_name,
            "valid_from": draft.valid_from, "valid_until": draft.valid_until,
            "fields": [dataclasses.asdict(f) for f in draft.fields],
            "case_version": case.lock_version}


def _staff_case(request, ref: str):
    case = selectors.access_case(actor=request.auth, ref=ref)
    if permissions.is_applicant(actor=request.auth, case=case):
        raise CaseNotFound(_("没有找到该办件。"))
    return case


@router.get("/{ref}/licence-draft", operation_id="licence_draft_get",
            response={200: LicenceDraftOut, **errors(401, 404)})
def licence_draft_get(request, ref: str):
    """The licence the case would produce if approved today: each field of the result
    licence type with its value, where it came from (``answers.<key>``, ``decision.…``,
    ``applicant.…``, ``form`` for the rule before forms) and the chief's corrections.
    Staff who may see the case; 404 for the applicant and for items without a licence."""
    now = timezone.now()
    return _draft_out(_staff_case(request, ref), now)


@router.post("/{ref}/licence-draft/corrections", operation_id="licence_draft_correct",
             response={200: LicenceDraftOut, **errors(401, 403, 404, 409, 422)})
def licence_draft_correct(request, ref: str, body: LicenceDraftCorrectIn):
    """The chief at 决定 corrects one field: ``field`` (the type's field name), ``value``,
    ``reason`` (required), ``version`` (the case's lock_version from the draft; stale: 409).
    Logged in the case's actions and the audit; the issued licence carries the value."""
    now = timezone.now()
    case = _staff_case(request, ref)
    case = services.licence_draft_correct(
        actor=request.auth, case=case, field=body.field, value=body.value, reason=body.reason,
        expected_version=body.version, now=now)
    return _draft_out(case, now)
