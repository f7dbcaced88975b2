"""The front desk (综合窗口): accept, refuse (不予受理), ask for corrections, take them in,
withdraw, decide on the spot (即办件)."""

from django.utils import timezone

from onewindow.common.schemas import errors

from .. import selectors, services
from .base import detail, router
from .schemas import AcceptIn, CaseOut, CorrectionIn, DecideIn, ReasonIn, SupplyIn


@router.post("/{ref}/accept", operation_id="case_accept",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_accept(request, ref: str, body: AcceptIn):
    """受理 (optionally 容缺: ``tolerated`` material ids + ``supply_days``)."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_accept(actor=request.auth, case=case,
                                tolerated=body.tolerated, supply_days=body.supply_days,
                                note=body.note, expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/reject", operation_id="case_reject",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_reject(request, ref: str, body: ReasonIn):
    """不予受理 (reason mandatory)."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_reject(actor=request.auth, case=case,
                                reason=body.reason,
                                expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/correction", operation_id="case_request_correction",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_request_correction(request, ref: str, body: CorrectionIn):
    """一次性告知补正: every missing or defective item at once, each with its problem."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_request_correction(
        actor=request.auth, case=case,
        items=[item.dict() for item in body.items], note=body.note,
        supply_days=body.supply_days, expected_version=body.version, now=now,
    )
    return detail(request, case.number, now)


@router.post("/{ref}/supply", operation_id="case_supply_materials",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_supply_materials(request, ref: str, body: SupplyIn):
    """Corrections done (files uploaded first): the case returns to the queue."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_supply_materials(actor=request.auth, case=case,
                                          form_data=body.form_data, note=body.note,
                                          expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/withdraw", operation_id="case_withdraw",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_withdraw(request, ref: str, body: ReasonIn):
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_withdraw(actor=request.auth, case=case,
                                  reason=body.reason, expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/decide", operation_id="case_decide_instant",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_decide_instant(request, ref: str, body: DecideIn):
    """即办件: accept and decide on the spot (needs cases.decide_instant)."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_decide_instant(actor=request.auth, case=case,
                                        approve=body.approve, reason=body.reason,
                                        expected_version=body.version, now=now)
    return detail(request, case.number, now)
