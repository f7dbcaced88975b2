"""The back office: complete or return a review step, special procedures (suspend and
resume), the Art. 42 extension."""

from django.utils import timezone

from onewindow.common.schemas import errors
from onewindow.workflow import selectors as workflow_selectors

from .. import selectors, services
from .base import detail, router
from .schemas import (
    CaseOut,
    CaseTaskCompleteIn,
    ExtendDecideIn,
    ExtendIn,
    ResumeIn,
    ReturnIn,
    SuspendIn,
)


@router.post("/tasks/{task_id}/complete", operation_id="case_task_complete",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_task_complete(request, task_id: int, body: CaseTaskCompleteIn):
    """Complete a review step (opinion; ``stance``: agree 拟同意, disagree 拟不同意 with
    ``reasons``, return 退回 with ``reasons``) or the decision step (``decision``: approve,
    deny with ``reasons``, return). The same as ``task_complete`` of the workflow API,
    answered with the case."""
    now = timezone.now()
    item = workflow_selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    case = services.case_task_complete(
        actor=request.auth, work_item=item, opinion=body.opinion, decision=body.decision,
        reasons=body.reasons, stance=body.stance, expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/tasks/{task_id}/return", operation_id="case_return",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_return(request, task_id: int, body: ReturnIn):
    """退回: send the case from this step back to the previous one, with a reason."""
    now = timezone.now()
    item = workflow_selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    case = services.case_return(actor=request.auth, work_item=item, reason=body.reason,
                                expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/suspend", operation_id="case_suspend",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_suspend(request, ref: str, body: SuspendIn):
    """Stop the clock for an Art. 45 special procedure (``procedure``: HEARING, TENDER,
    AUCTION, INSPECTION, TESTING, QUARANTINE, APPRAISAL, EXPERT_REVIEW, ITEM_PROCEDURE,
    TOLERANCE) with the expected working days; the applicant is told in writing."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_suspend(actor=request.auth, case=case,
                                 procedure=body.procedure, expected_days=body.expected_days,
                                 reason=body.reason, expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/resume", operation_id="case_resume",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_resume(request, ref: str, body: ResumeIn):
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_resume(actor=request.auth, case=case,
                                note=body.note,
                                expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/extension", operation_id="case_extend_request",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_extend_request(request, ref: str, body: ExtendIn):
    """Ask for the Art. 42 extension (at most the item's allowed working days, once)."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_extend_request(actor=request.auth, case=case,
                                        days=body.days, reason=body.reason,
                                        expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/extension/decision", operation_id="case_extend_decide",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_extend_decide(request, ref: str, body: ExtendDecideIn):
    """The chief representative approves or refuses the pending extension request."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_extend_decide(actor=request.auth, case=case,
                                       approve=body.approve, note=body.note,
                                       expected_version=body.version, now=now)
    return detail(request, case.number, now)
